using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RealtimeHub.Server.Redis;

/// <summary>
/// The one Redis multiplexer of a node, shared by the backplane, the history store, the job clocks
/// and health checks. Commands fail fast while Redis is unreachable so publishers get a prompt 503
/// instead of waiting out a backlog.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _multiplexer;

    public RedisConnection(IOptions<RedisConnectionOptions> options)
    {
        var configuration = ConfigurationOptions.Parse(options.Value.ConnectionString!);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 2000);
        configuration.ClientName ??= "realtimehub";
        _multiplexer = new(async () => await ConnectionMultiplexer.ConnectAsync(configuration));
    }

    /// <summary>The multiplexer; it reconnects by itself after an outage.</summary>
    public Task<IConnectionMultiplexer> GetAsync() => _multiplexer.Value;

    /// <summary>
    /// True for the failures that mean Redis cannot be reached right now (as opposed to a bug): the
    /// caller answers "unavailable" and the client retries.
    /// </summary>
    public static bool IsUnreachable(Exception exception) => exception is RedisConnectionException or RedisTimeoutException;

    /// <summary>
    /// Runs a command, turning "Redis cannot be reached" into <see cref="RedisUnavailableException"/> naming
    /// <paramref name="part"/>, the part of the hub whose data the command reads or writes (for example "The history store").
    /// </summary>
    public async Task<T> ExecuteAsync<T>(string part, Func<IDatabase, Task<T>> command)
    {
        try
        {
            return await command((await GetAsync()).GetDatabase());
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            throw new RedisUnavailableException($"{part} (Redis) cannot be reached.", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer.IsValueCreated)
        {
            await (await _multiplexer.Value).DisposeAsync();
        }
    }
}
