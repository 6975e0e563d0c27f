using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RealtimeHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeHub.Tests.Bridge;

/// <summary>
/// A redis-server of its own with three hub nodes bridging it, and a plain Redis client that publishes
/// the way the products' workers do. Each node records its log in <see cref="Logs"/>.
/// </summary>
public sealed class BridgeNodes : IAsyncDisposable
{
    public const int NodeCount = 3;

    private readonly List<HubNode> _nodes;
    private readonly ConnectionMultiplexer _worker;

    private BridgeNodes(RedisServer redis, List<HubNode> nodes, IReadOnlyList<LogCapture> logs, ConnectionMultiplexer worker)
    {
        Redis = redis;
        _nodes = nodes;
        Logs = logs;
        _worker = worker;
    }

    public RedisServer Redis { get; }

    /// <summary>The nodes still running, in start order.</summary>
    public IReadOnlyList<HubNode> Nodes => _nodes;

    /// <summary>What each node logged, by start index (kept after a node is killed).</summary>
    public IReadOnlyList<LogCapture> Logs { get; }

    /// <summary>Starts redis-server and the nodes; <paramref name="services"/> may replace a seam on node i.</summary>
    public static async Task<BridgeNodes> StartAsync(Func<int, Action<IServiceCollection>?>? services = null)
    {
        var redis = await RedisServer.StartAsync();
        var logs = Enumerable.Range(0, NodeCount).Select(_ => new LogCapture()).ToArray();
        var nodes = await Task.WhenAll(Enumerable.Range(0, NodeCount).Select(i => HubNode.StartAsync(redis.ConnectionString, services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs[i]);
            services?.Invoke(i)?.Invoke(s);
        })));
        var worker = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        return new BridgeNodes(redis, [.. nodes], logs, worker);
    }

    /// <summary>
    /// Publishes <paramref name="payload"/> on <paramref name="channel"/> with plain PUBLISH, as a worker
    /// does, and checks that every running node's bridge received it.
    /// </summary>
    public async Task PublishAsync(string channel, string payload)
    {
        var receivers = await _worker.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), payload);
        Assert.Equal(_nodes.Count, receivers);
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
        await Redis.DisposeAsync();
    }
}

/// <summary>Three bridging nodes on one redis-server, shared by a test collection; tests use unique ids.</summary>
public sealed class BridgeCluster : IAsyncLifetime
{
    public BridgeNodes Nodes { get; private set; } = null!;

    public async Task InitializeAsync() => Nodes = await BridgeNodes.StartAsync();

    public async Task DisposeAsync() => await Nodes.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class BridgeClusterDefinition : ICollectionFixture<BridgeCluster>
{
    public const string Name = "Three bridging nodes on one redis-server";
}
