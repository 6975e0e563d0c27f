using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Hubs;
using RealtimeHub.Server.Limits;

namespace RealtimeHub.Server.Delivery;

/// <summary>
/// The hub's lifetime manager: this node's members (SignalR connections, each with a bounded
/// <see cref="ConnectionOutbox"/>, and SSE streams, <see cref="Attach"/>ed with an outbox of their own),
/// and per followed topic one <see cref="TopicRelay"/>,
/// the node's only member of that topic's group on the backplane (SignalR's Redis backplane, or its
/// in-memory manager on the embedded default). Group messages travel through the backplane once per
/// node; everything else stays on this node.
/// </summary>
/// <remarks>
/// Messages to a connection, a user or all connections reach this node's connections only; the hub
/// sends nothing but group messages across nodes. A group message that excludes connections is not
/// supported, since the backplane's members are relays, not the excluded connections.
/// </remarks>
internal sealed partial class NodeLifetimeManager(
    [FromKeyedServices(NodeLifetimeManager.BackplaneKey)] HubLifetimeManager<ProgressHub> backplane,
    SlowConsumers slowConsumers,
    RelayServices relayServices,
    IOptions<DeliveryOptions> options,
    IOptions<LimitsOptions> limits,
    ILoggerFactory loggerFactory) : HubLifetimeManager<ProgressHub>
{
    /// <summary>The service key of the lifetime manager that carries group messages between nodes.</summary>
    public const string BackplaneKey = "backplane";

    private readonly ConcurrentDictionary<string, LocalConnection> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TopicRelay> _relays = new(StringComparer.Ordinal);
    private readonly Lock _relayGate = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger<NodeLifetimeManager>();

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        var transport = ConnectionTransport.Of(connection.Features);
        Attach(new ConnectionOutbox(connection, transport, options.Value.MaxBufferedBytes, slowConsumers));
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection) => DetachAsync(connection.ConnectionId);

    /// <summary>
    /// Registers a member that is not a SignalR connection (an SSE stream): it then joins and leaves
    /// topics by its id like any connection, and receives group messages only.
    /// </summary>
    public void Attach(ILocalMember member) => _connections[member.ConnectionId] = new LocalConnection(member);

    /// <summary>Closes and unregisters a member, leaving its topics.</summary>
    public async Task DetachAsync(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out var local))
        {
            return;
        }

        local.Member.Close();
        foreach (var topic in local.TakeTopics())
        {
            await LeaveAsync(topic, local.Member);
        }
    }

    /// <summary>Joins a member to a topic; joining one more than <see cref="LimitsOptions.MaxTopicsPerConnection"/> throws <see cref="TopicLimitReachedException"/>.</summary>
    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (!_connections.TryGetValue(connectionId, out var local) || !local.TryAddTopic(groupName, limits.Value.MaxTopicsPerConnection))
        {
            return;
        }

        TopicRelay relay;
        lock (_relayGate)
        {
            if (!_relays.TryGetValue(groupName, out relay!))
            {
                relay = new TopicRelay(Topic.Parse(groupName), relayServices);
                _relays[groupName] = relay;
            }

            relay.Add(local.Member);
        }

        try
        {
            await relay.JoinAsync(backplane).WaitAsync(cancellationToken);
        }
        catch
        {
            local.RemoveTopic(groupName);
            await LeaveAsync(groupName, local.Member);
            throw;
        }
    }

    /// <summary>Whether the member follows <paramref name="topic"/>: it joined and has not left.</summary>
    public bool Follows(string connectionId, string topic) => _connections.TryGetValue(connectionId, out var local) && local.Follows(topic);

    public override async Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_connections.TryGetValue(connectionId, out var local) && local.RemoveTopic(groupName))
        {
            await LeaveAsync(groupName, local.Member);
        }
    }

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendGroupAsync(groupName, methodName, args, cancellationToken);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendGroupsAsync(groupNames, methodName, args, cancellationToken);

    public override Task SendGroupExceptAsync(
        string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Group messages that exclude connections are not supported: each node's group member is its topic relay.");

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendLocal(_ => true, methodName, args);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendLocal(c => !excludedConnectionIds.Contains(c.ConnectionId), methodName, args);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        if (_connections.TryGetValue(connectionId, out var local))
        {
            local.Member.Send(Invocation(methodName, args));
        }

        return Task.CompletedTask;
    }

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendLocal(c => connectionIds.Contains(c.ConnectionId), methodName, args);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendLocal(c => c.UserIdentifier == userId, methodName, args);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendLocal(c => c.UserIdentifier is { } user && userIds.Contains(user), methodName, args);

    /// <summary>
    /// Has every topic this node follows read from the history what came after its last delivered
    /// event: called when the backplane returns, since messages sent meanwhile never reached this node.
    /// </summary>
    public Task CatchUpAllAsync()
    {
        TopicRelay[] relays;
        lock (_relayGate)
        {
            relays = [.. _relays.Values];
        }

        return Task.WhenAll(relays.Select(relay => relay.CatchUpAsync()));
    }

    private static SerializedHubMessage Invocation(string methodName, object?[] args) =>
        new(new Microsoft.AspNetCore.SignalR.Protocol.InvocationMessage(methodName, args));

    private Task SendLocal(Func<HubConnectionContext, bool> to, string methodName, object?[] args)
    {
        var message = Invocation(methodName, args);
        foreach (var local in _connections.Values)
        {
            // SSE streams take group messages only.
            if (local.Member is ConnectionOutbox outbox && to(outbox.Connection))
            {
                outbox.Send(message);
            }
        }

        return Task.CompletedTask;
    }

    private async Task LeaveAsync(string topic, ILocalMember member)
    {
        TopicRelay? emptied = null;
        lock (_relayGate)
        {
            if (_relays.TryGetValue(topic, out var relay))
            {
                relay.Remove(member);
                if (relay.IsEmpty)
                {
                    _relays.Remove(topic);
                    emptied = relay;
                }
            }
        }

        if (emptied is not null)
        {
            try
            {
                await emptied.LeaveAsync(backplane);
            }
            catch (Exception ex)
            {
                // The backplane (Redis) is away; it drops the group's subscription when it reconnects without it.
                LogLeaveFailed(_logger, topic, ex);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Leaving the backplane group of topic {Topic} failed.")]
    private static partial void LogLeaveFailed(ILogger logger, string topic, Exception exception);

    /// <summary>One local member and the topics it follows.</summary>
    /// <remarks>
    /// A list, not a set: a member follows at most <see cref="LimitsOptions.MaxTopicsPerConnection"/>
    /// topics (50 by default), mostly one, and a set's buckets cost more than scanning those few, for as long
    /// as the member stays connected.
    /// </remarks>
    private sealed class LocalConnection(ILocalMember member)
    {
        private readonly List<string> _topics = new(1);

        public ILocalMember Member => member;

        /// <summary>Adds <paramref name="topic"/>; false when followed already, <see cref="TopicLimitReachedException"/> past <paramref name="max"/>.</summary>
        public bool TryAddTopic(string topic, int max)
        {
            lock (_topics)
            {
                if (_topics.Contains(topic))
                {
                    return false;
                }

                if (_topics.Count >= max)
                {
                    throw new TopicLimitReachedException(_topics.Count);
                }

                _topics.Add(topic);
                return true;
            }
        }

        public bool Follows(string topic)
        {
            lock (_topics)
            {
                return _topics.Contains(topic);
            }
        }

        public bool RemoveTopic(string topic)
        {
            lock (_topics)
            {
                return _topics.Remove(topic);
            }
        }

        public string[] TakeTopics()
        {
            lock (_topics)
            {
                var topics = _topics.ToArray();
                _topics.Clear();
                return topics;
            }
        }
    }
}
