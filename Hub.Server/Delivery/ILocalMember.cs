using Microsoft.AspNetCore.SignalR;

namespace RealtimeHub.Server.Delivery;

/// <summary>
/// One receiver on this node of its topics' group messages: a SignalR connection's
/// <see cref="ConnectionOutbox"/>, or an SSE stream's outbox. Sending never waits; a member that falls
/// too far behind cuts itself off, and its client resumes with its last id.
/// </summary>
internal interface ILocalMember
{
    /// <summary>The connection's id, unique on this node.</summary>
    string ConnectionId { get; }

    /// <summary>Writes or queues <paramref name="message"/>, already serialised for every protocol; never waits.</summary>
    void Send(SerializedHubMessage message);

    /// <summary>Takes nothing more: the member is gone.</summary>
    void Close();
}
