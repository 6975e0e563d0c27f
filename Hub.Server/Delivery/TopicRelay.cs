using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace RealtimeHub.Server.Delivery;

/// <summary>
/// This node's one member of a topic's backplane group. The backplane writes each of the topic's
/// messages to the relay once, already serialised for every protocol; the relay hands it to the
/// outbox of each local subscriber and returns at once, so no subscriber's socket can hold up the
/// backplane, the publisher or the other subscribers.
/// </summary>
internal sealed class TopicRelay(string topic, ILoggerFactory loggerFactory)
    : HubConnectionContext(new DefaultConnectionContext($"relay-{Guid.NewGuid():N}"), new HubConnectionContextOptions(), loggerFactory)
{
    private readonly Lock _joinGate = new();
    private ConnectionOutbox[] _members = [];
    private Task? _joined;

    /// <summary>The topic, which is also the backplane group's name.</summary>
    public string Topic => topic;

    /// <summary>True once the last member left; set and read under the owner's lock.</summary>
    public bool IsEmpty => _members.Length == 0;

    /// <summary>Adds a member; called under the owner's lock.</summary>
    public void Add(ConnectionOutbox member) => _members = [.. _members, member];

    /// <summary>Removes a member; called under the owner's lock.</summary>
    public void Remove(ConnectionOutbox member) => _members = Array.FindAll(_members, m => m != member);

    /// <summary>Joins the backplane group once, however many members wait for it.</summary>
    public Task JoinAsync(HubLifetimeManager<Hubs.ProgressHub> backplane)
    {
        lock (_joinGate)
        {
            return _joined ??= JoinCoreAsync(backplane);
        }
    }

    /// <summary>Leaves the backplane group after the join, if any, has finished.</summary>
    public async Task LeaveAsync(HubLifetimeManager<Hubs.ProgressHub> backplane)
    {
        Task? joined;
        lock (_joinGate)
        {
            joined = _joined;
        }

        if (joined is null)
        {
            return;
        }

        try
        {
            await joined;
        }
        catch (Exception)
        {
            // Never joined: there is nothing to leave.
            return;
        }

        try
        {
            await backplane.RemoveFromGroupAsync(ConnectionId, topic);
        }
        finally
        {
            await backplane.OnDisconnectedAsync(this);
        }
    }

    public override ValueTask WriteAsync(HubMessage message, CancellationToken cancellationToken = default) =>
        WriteAsync(new SerializedHubMessage(message), cancellationToken);

    public override ValueTask WriteAsync(SerializedHubMessage message, CancellationToken cancellationToken = default)
    {
        foreach (var member in Volatile.Read(ref _members))
        {
            member.Send(message);
        }

        return ValueTask.CompletedTask;
    }

    private async Task JoinCoreAsync(HubLifetimeManager<Hubs.ProgressHub> backplane)
    {
        await backplane.OnConnectedAsync(this);
        try
        {
            await backplane.AddToGroupAsync(ConnectionId, topic);
        }
        catch
        {
            await backplane.OnDisconnectedAsync(this);
            throw;
        }
    }
}
