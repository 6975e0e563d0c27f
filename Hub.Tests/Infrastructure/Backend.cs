namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// What a scenario suite runs on: the embedded default, or a real redis-server of its own. One suite,
/// written once against a fixture that takes a backend, runs on both.
/// </summary>
public abstract class Backend : IAsyncDisposable
{
    /// <summary>Starts the backend; returns the Redis connection string, or null for the embedded default.</summary>
    public abstract Task<string?> StartAsync();

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
