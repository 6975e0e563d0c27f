using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Server.Hubs;
using StackExchange.Redis;

namespace RealtimeHub.Tests.Delivery;

/// <summary>
/// A seam in front of the real backplane that refuses the hand-off of chosen events, as Redis does when
/// its connection drops between the append and the publish, or loses it for good. It counts the hand-offs
/// each event reaches it with. Everything else goes through unchanged.
/// </summary>
internal sealed class FailingHandOffs(HubLifetimeManager<ProgressHub> backplane) : HubLifetimeManager<ProgressHub>
{
    private readonly ConcurrentDictionary<(string Topic, long Seq), int> _refusalsLeft = new();
    private readonly ConcurrentDictionary<(string Topic, long Seq), TaskCompletionSource> _losses = new();
    private readonly ConcurrentDictionary<(string Topic, long Seq), int> _handOffs = new();

    /// <summary>Refuses the hand-off of event <paramref name="seq"/> of <paramref name="topic"/> the next <paramref name="times"/> times.</summary>
    public void Refuse(string topic, long seq, int times) => _refusalsLeft[(topic, seq)] = times;

    /// <summary>
    /// Fails the next hand-off of event <paramref name="seq"/> of <paramref name="topic"/> with an error that
    /// is not Redis being out of reach, so the node does not retry it: the event is stored and never reaches
    /// the backplane. The task completes once that hand-off has failed.
    /// </summary>
    public Task Lose(string topic, long seq) =>
        _losses.GetOrAdd((topic, seq), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>How many hand-offs of event <paramref name="seq"/> of <paramref name="topic"/> reached the seam, refused or lost ones included.</summary>
    public int HandOffs(string topic, long seq) => _handOffs.GetValueOrDefault((topic, seq));

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        if (args is [EventEnvelope envelope])
        {
            var key = (envelope.Topic, envelope.Seq);
            _handOffs.AddOrUpdate(key, 1, (_, count) => count + 1);
            if (_losses.TryGetValue(key, out var loss) && loss.TrySetResult())
            {
                throw new InvalidOperationException("The hand-off was lost by the test seam.");
            }

            if (_refusalsLeft.TryGetValue(key, out var left) && left > 0)
            {
                _refusalsLeft[key] = left - 1;
                throw new RedisConnectionException(ConnectionFailureType.SocketClosed, CommandFlags.None, "The hand-off was refused by the test seam.", null, CommandStatus.Unknown);
            }
        }

        return backplane.SendGroupAsync(groupName, methodName, args, cancellationToken);
    }

    public override Task OnConnectedAsync(HubConnectionContext connection) => backplane.OnConnectedAsync(connection);

    public override Task OnDisconnectedAsync(HubConnectionContext connection) => backplane.OnDisconnectedAsync(connection);

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        backplane.AddToGroupAsync(connectionId, groupName, cancellationToken);

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        backplane.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendAllAsync(methodName, args, cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        backplane.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendConnectionAsync(connectionId, methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);

    public override Task SendGroupExceptAsync(
        string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        backplane.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendGroupsAsync(groupNames, methodName, args, cancellationToken);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendUserAsync(userId, methodName, args, cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendUsersAsync(userIds, methodName, args, cancellationToken);
}
