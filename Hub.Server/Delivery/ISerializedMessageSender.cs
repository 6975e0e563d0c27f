namespace RealtimeHub.Server.Delivery;

/// <summary>
/// A connection feature: the transport sends a hub message already serialised in the connection's
/// protocol as one message of its own, without SignalR's connection writing it through its output pipe.
/// <see cref="ConnectionOutbox"/> uses it where the connection offers it.
/// </summary>
internal interface ISerializedMessageSender
{
    /// <summary>Sends <paramref name="serialized"/>; pends while the client's socket pushes back, fails once the connection is closing.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> serialized);
}
