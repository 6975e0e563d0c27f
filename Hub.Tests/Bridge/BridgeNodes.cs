using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RealtimeHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeHub.Tests.Bridge;

/// <summary>
/// A Redis deployment of its own (a <see cref="Backend"/>: one redis-server, Sentinel or a Redis Cluster)
/// with three hub nodes bridging it, and a plain Redis client that publishes the way the products'
/// workers do, through one Redis node. Each node records its log in <see cref="Logs"/>.
/// </summary>
public sealed class BridgeNodes : IAsyncDisposable
{
    public const int NodeCount = 3;

    /// <summary>The patterns each node's bridge subscribes to: <c>merchant:*</c>, <c>enrichment:*</c>, <c>batch:*</c>.</summary>
    private const int PatternsPerBridge = 3;

    private readonly List<HubNode> _nodes;
    private readonly ConnectionMultiplexer _worker;

    private readonly Backend _redis;

    private BridgeNodes(Backend redis, List<HubNode> nodes, IReadOnlyList<LogCapture> logs, ConnectionMultiplexer worker)
    {
        _redis = redis;
        _nodes = nodes;
        Logs = logs;
        _worker = worker;
    }

    /// <summary>The nodes still running, in start order.</summary>
    public IReadOnlyList<HubNode> Nodes => _nodes;

    /// <summary>What each node logged, by start index (kept after a node is killed).</summary>
    public IReadOnlyList<LogCapture> Logs { get; }

    /// <summary>Starts <paramref name="redis"/> and the nodes; <paramref name="services"/> may replace a seam on node i.</summary>
    public static async Task<BridgeNodes> StartAsync(Backend redis, Func<int, Action<IServiceCollection>?>? services = null)
    {
        var connectionString = await redis.StartAsync() ?? throw new ArgumentException("The bridge needs Redis.", nameof(redis));
        var logs = Enumerable.Range(0, NodeCount).Select(_ => new LogCapture()).ToArray();
        var nodes = await Task.WhenAll(Enumerable.Range(0, NodeCount).Select(i => HubNode.StartAsync(connectionString, services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs[i]);
            services?.Invoke(i)?.Invoke(s);
        })));
        // Admin commands only for the test's own look at who subscribes (CLIENT LIST); a worker needs none.
        var worker = await ConnectionMultiplexer.ConnectAsync($"{connectionString},allowAdmin=true");
        return new BridgeNodes(redis, [.. nodes], logs, worker);
    }

    /// <summary>
    /// Publishes <paramref name="payload"/> on <paramref name="channel"/> with plain PUBLISH through one
    /// Redis primary, as a worker connected to one Redis node does, and checks that every running node's
    /// bridge receives it. On a Redis Cluster, the node matters: the cluster forwards a PUBLISH to its
    /// other nodes asynchronously, so messages published through different nodes may reach a subscriber
    /// in either order (StackExchange.Redis spreads plain PUBLISH over the primaries).
    /// </summary>
    public async Task PublishAsync(string channel, string payload)
    {
        var primary = _worker.GetServers().First(s => s.IsConnected && !s.IsReplica);
        var receivers = (long)await primary.ExecuteAsync("PUBLISH", channel, payload);
        Assert.Equal(_nodes.Count, _redis.CountsEveryReceiver ? receivers : await BridgesSubscribedAsync());
    }

    /// <summary>How many bridges subscribe to their patterns, on whichever nodes of the deployment they do.</summary>
    private async Task<long> BridgesSubscribedAsync()
    {
        var patterns = 0L;
        foreach (var server in _worker.GetServers().Where(s => s.IsConnected))
        {
            patterns += (await server.ClientListAsync()).Sum(c => (long)c.PatternSubscriptionCount);
        }

        return patterns / PatternsPerBridge;
    }

    /// <summary>Stops <paramref name="node"/> for good, as a killed node would go.</summary>
    public async Task KillAsync(HubNode node)
    {
        Assert.True(_nodes.Remove(node), "the node is not running");
        await node.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.DisposeAsync();
        await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask()));
        await _redis.DisposeAsync();
    }
}

/// <summary>Three bridging nodes on a Redis deployment, shared by a test collection; tests use unique ids.</summary>
public abstract class BridgeCluster(Backend redis) : IAsyncLifetime
{
    public BridgeNodes Nodes { get; private set; } = null!;

    public async Task InitializeAsync() => Nodes = await BridgeNodes.StartAsync(redis);

    public async Task DisposeAsync() => await Nodes.DisposeAsync();
}

/// <summary>The bridging nodes on one redis-server.</summary>
public sealed class RedisBridgeCluster() : BridgeCluster(new RedisBackend());

/// <summary>The bridging nodes on Redis under Sentinel.</summary>
public sealed class SentinelBridgeCluster() : BridgeCluster(new SentinelBackend());

/// <summary>The bridging nodes on a Redis Cluster.</summary>
public sealed class ClusterBridgeCluster() : BridgeCluster(new ClusterBackend());

[CollectionDefinition(Name)]
public sealed class BridgeClusterDefinition : ICollectionFixture<RedisBridgeCluster>
{
    public const string Name = "Three bridging nodes on one redis-server";
}

[CollectionDefinition(Name)]
public sealed class SentinelBridgeClusterDefinition : ICollectionFixture<SentinelBridgeCluster>
{
    public const string Name = "Three bridging nodes on Redis under Sentinel";
}

[CollectionDefinition(Name)]
public sealed class ClusterBridgeClusterDefinition : ICollectionFixture<ClusterBridgeCluster>
{
    public const string Name = "Three bridging nodes on a Redis Cluster";
}
