using Microsoft.Extensions.DependencyInjection;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// The nodes one run of the scenario suite needs, on one backend: a node whose clock tests can move
/// forward, and a node that keeps only <see cref="HistoryBound"/> events per topic.
/// </summary>
public abstract class ScenarioNodes(Backend backend) : IAsyncLifetime
{
    public const int HistoryBound = 5;

    private string? _redisConnection;

    public ShiftedClock Clock { get; } = new();

    public HubNode Node { get; private set; } = null!;

    public HubNode BoundedNode { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _redisConnection = await backend.StartAsync();
        Node = await StartNodeAsync(new Dictionary<string, string?>(), Clock);
        BoundedNode = await StartNodeAsync(new Dictionary<string, string?>
        {
            ["History:MaxEventsPerTopic"] = HistoryBound.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, TimeProvider.System);
    }

    /// <summary>Starts one more node on this backend, for a test that needs settings or a clock of its own.</summary>
    public Task<HubNode> StartNodeAsync(IDictionary<string, string?> settings, TimeProvider clock) =>
        HubNode.StartAsync(_redisConnection, settings, services => services.AddSingleton(clock));

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await BoundedNode.DisposeAsync();
        await backend.DisposeAsync();
    }
}

/// <summary>The scenario nodes on the embedded default: in-memory groups and history.</summary>
public sealed class EmbeddedNodes() : ScenarioNodes(new EmbeddedBackend());

/// <summary>The scenario nodes on a real redis-server of their own.</summary>
public sealed class RedisNodes() : ScenarioNodes(new RedisBackend());

/// <summary>The scenario nodes on Redis under Sentinel.</summary>
public sealed class SentinelNodes() : ScenarioNodes(new SentinelBackend());

/// <summary>The scenario nodes on a Redis Cluster.</summary>
public sealed class ClusterNodes() : ScenarioNodes(new ClusterBackend());

[CollectionDefinition(Name)]
public sealed class EmbeddedNodesDefinition : ICollectionFixture<EmbeddedNodes>
{
    public const string Name = "Scenario nodes on the embedded default";
}

[CollectionDefinition(Name)]
public sealed class RedisNodesDefinition : ICollectionFixture<RedisNodes>
{
    public const string Name = "Scenario nodes on one redis-server";
}

[CollectionDefinition(Name)]
public sealed class SentinelNodesDefinition : ICollectionFixture<SentinelNodes>
{
    public const string Name = "Scenario nodes on Redis under Sentinel";
}

[CollectionDefinition(Name)]
public sealed class ClusterNodesDefinition : ICollectionFixture<ClusterNodes>
{
    public const string Name = "Scenario nodes on a Redis Cluster";
}
