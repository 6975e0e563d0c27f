using Microsoft.Extensions.DependencyInjection;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// The nodes one run of the scenario suite needs, on one backend: a node whose clock tests can move
/// forward, and a node that keeps only <see cref="HistoryBound"/> events per topic.
/// </summary>
public abstract class ScenarioNodes : IAsyncLifetime
{
    public const int HistoryBound = 5;

    private string? _redisConnection;

    public ShiftedClock Clock { get; } = new();

    public HubNode Node { get; private set; } = null!;

    public HubNode BoundedNode { get; private set; } = null!;

    /// <summary>Starts the backend; returns the Redis connection string, or null for the embedded default.</summary>
    protected abstract Task<string?> StartBackendAsync();

    protected abstract Task StopBackendAsync();

    public async Task InitializeAsync()
    {
        _redisConnection = await StartBackendAsync();
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
        await StopBackendAsync();
    }
}

/// <summary>The scenario nodes on the embedded default: in-memory groups and history.</summary>
public sealed class EmbeddedNodes : ScenarioNodes
{
    protected override Task<string?> StartBackendAsync() => Task.FromResult<string?>(null);

    protected override Task StopBackendAsync() => Task.CompletedTask;
}

/// <summary>The scenario nodes on a real redis-server of their own.</summary>
public sealed class RedisNodes : ScenarioNodes
{
    private RedisServer? _redis;

    protected override async Task<string?> StartBackendAsync()
    {
        _redis = await RedisServer.StartAsync();
        return _redis.ConnectionString;
    }

    protected override async Task StopBackendAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}

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
