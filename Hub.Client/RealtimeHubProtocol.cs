namespace RealtimeHub.Client;

/// <summary>The SignalR protocol a <see cref="RealtimeHubClient"/> speaks to the hub.</summary>
public enum RealtimeHubProtocol
{
    /// <summary>Binary MessagePack with <c>HubMessagePack.Options</c>: smaller frames, the default.</summary>
    MessagePack,

    /// <summary>JSON text frames.</summary>
    Json,
}
