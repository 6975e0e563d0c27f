namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// What a scenario suite runs on: the embedded default, or a real Redis deployment of its own (one
/// redis-server, Sentinel or a Redis Cluster). One suite, written once against a fixture that takes a
/// backend, runs on each.
/// </summary>
public abstract class Backend : IAsyncDisposable
{
    /// <summary>Starts the backend; returns the Redis connection string, or null for the embedded default.</summary>
    public abstract Task<string?> StartAsync();

    /// <summary>
    /// Whether PUBLISH answers with every subscriber of the deployment. A Redis Cluster counts only the
    /// subscribers connected to the node that took the message, although the message reaches them all.
    /// </summary>
    public virtual bool CountsEveryReceiver => true;

    public abstract ValueTask DisposeAsync();
}

/// <summary>In-memory groups and history inside each node.</summary>
public sealed class EmbeddedBackend : Backend
{
    public override Task<string?> StartAsync() => Task.FromResult<string?>(null);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A redis-server started for this fixture alone.</summary>
public sealed class RedisBackend : Backend
{
    private RedisServer? _redis;

    public override async Task<string?> StartAsync()
    {
        _redis = await RedisServer.StartAsync();
        return _redis.ConnectionString;
    }

    public override ValueTask DisposeAsync() => _redis?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>A primary, two replicas and three sentinels started for this fixture alone.</summary>
public sealed class SentinelBackend : Backend
{
    private SentinelDeployment? _deployment;

    public override async Task<string?> StartAsync()
    {
        _deployment = await SentinelDeployment.StartAsync();
        return _deployment.ConnectionString;
    }

    public override ValueTask DisposeAsync() => _deployment?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>A Redis Cluster of three primaries and three replicas started for this fixture alone.</summary>
public sealed class ClusterBackend : Backend
{
    private RedisClusterDeployment? _deployment;

    public override bool CountsEveryReceiver => false;

    public override async Task<string?> StartAsync()
    {
        _deployment = await RedisClusterDeployment.StartAsync();
        return _deployment.ConnectionString;
    }

    public override ValueTask DisposeAsync() => _deployment?.DisposeAsync() ?? ValueTask.CompletedTask;
}
