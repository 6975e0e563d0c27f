using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RealtimeHub.Server.Redis;

/// <summary>
/// The one Redis multiplexer of a node, shared by the backplane, the history store, the job clocks
/// and health checks. One server, a Sentinel deployment (it follows the primary through failovers) or a
/// Redis Cluster. Commands fail fast while Redis is unreachable so publishers get a prompt 503 instead
/// of waiting out a backlog.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private const int RoleCheckSeconds = 5;

    private static readonly string[] TransientReplies = ["READONLY ", "LOADING ", "MASTERDOWN ", "CLUSTERDOWN ", "TRYAGAIN ", "UNBLOCKED "];

    private readonly ConfigurationOptions _configuration;
    private readonly RedisConnectionOptions _options;
    private readonly Lock _gate = new();
    private Task<IConnectionMultiplexer>? _multiplexer;

    public RedisConnection(IOptions<RedisConnectionOptions> options)
    {
        _options = options.Value;
        _configuration = ConfigurationOptions.Parse(_options.ConnectionString!);
        _configuration.AbortOnConnectFail = false;
        _configuration.BacklogPolicy = BacklogPolicy.FailFast;
        _configuration.ConnectTimeout = Math.Min(_configuration.ConnectTimeout, 2000);
        _configuration.ClientName ??= "realtimehub";

        // How often each server's role is checked (INFO replication). A Redis Cluster's promoted replica is
        // noticed this way when nothing else tells the client of the new primary: with StackExchange.Redis's
        // default of 60 s, publishing to the failed primary's slots could answer 503 for a minute after the
        // cluster had failed over.
        _configuration.ConfigCheckSeconds = Math.Min(_configuration.ConfigCheckSeconds, RoleCheckSeconds);
    }

    /// <summary>
    /// The multiplexer; it reconnects by itself after an outage. A first connection that failed (no
    /// sentinel answered, say) is tried again on the next call.
    /// </summary>
    public Task<IConnectionMultiplexer> GetAsync()
    {
        lock (_gate)
        {
            if (_multiplexer is null || _multiplexer.IsFaulted || _multiplexer.IsCanceled)
            {
                _multiplexer = ConnectAsync();
            }

            return _multiplexer;
        }
    }

    /// <summary>
    /// True for the failures that mean Redis cannot be reached right now (as opposed to a bug): the
    /// caller answers "unavailable" and the client retries. A failover passes through a few of these
    /// replies: a write that reached a replica before it learned of its promotion (READONLY), a server
    /// still loading its data, a replica without its primary, a Redis Cluster moving or missing a slot.
    /// </summary>
    public static bool IsUnreachable(Exception exception) => exception switch
    {
        RedisConnectionException or RedisTimeoutException => true,
        RedisServerException server => TransientReplies.Any(reply => server.Message.StartsWith(reply, StringComparison.Ordinal)),
        _ => false,
    };

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

    /// <summary>
    /// Runs a write to the keys in <paramref name="key"/>'s hash slot like <see cref="ExecuteAsync{T}"/>, then waits
    /// until <see cref="RedisConnectionOptions.ReplicasToAcknowledge"/> replicas of the primary that took it have it
    /// too (Redis <c>WAIT</c> on the same connection), so it survives a failover. Fewer confirmations within
    /// <see cref="RedisConnectionOptions.ReplicaWait"/> throw <see cref="RedisUnavailableException"/>: the write may
    /// be on the primary alone, and the caller must not acknowledge it.
    /// </summary>
    public async Task<T> ExecuteReplicatedAsync<T>(string part, RedisKey key, Func<IDatabase, Task<T>> command)
    {
        var result = await ExecuteAsync(part, command);
        var required = _options.ReplicasToAcknowledge;
        if (required > 0)
        {
            var confirmed = (long)await ExecuteAsync(part, async _ => await PrimaryOf(await GetAsync(), key).ExecuteAsync(
                "WAIT", required, (long)_options.ReplicaWait.TotalMilliseconds));
            if (confirmed < required)
            {
                throw new RedisUnavailableException(
                    $"{part} (Redis): {confirmed} of the {required} replicas required confirmed the write within {_options.ReplicaWait.TotalMilliseconds} ms.");
            }
        }

        return result;
    }

    /// <summary>
    /// The server a write to <paramref name="key"/> went to: on a Redis Cluster the primary of the key's slot;
    /// otherwise the connected primary (after a Sentinel failover the old primary stays among the known servers,
    /// disconnected, and must not be asked).
    /// </summary>
    private static IServer PrimaryOf(IConnectionMultiplexer multiplexer, RedisKey key)
    {
        var servers = multiplexer.GetServers();
        if (servers.Any(server => server.ServerType == ServerType.Cluster))
        {
            return multiplexer.GetServer(key);
        }

        return servers.FirstOrDefault(server => server.IsConnected && !server.IsReplica)
            ?? throw new RedisUnavailableException("No Redis primary is connected.");
    }

    /// <summary>
    /// The hash slot of <paramref name="key"/> on a Redis Cluster, where one script may only touch keys of one
    /// slot; the same value for every key elsewhere.
    /// </summary>
    public async Task<int> HashSlotAsync(string part, RedisKey key)
    {
        try
        {
            return (await GetAsync()).HashSlot(key);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            throw new RedisUnavailableException($"{part} (Redis) cannot be reached.", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<IConnectionMultiplexer>? multiplexer;
        lock (_gate)
        {
            multiplexer = _multiplexer;
        }

        if (multiplexer is { IsCompletedSuccessfully: true })
        {
            await multiplexer.Result.DisposeAsync();
        }
    }

    private async Task<IConnectionMultiplexer> ConnectAsync() => await ConnectionMultiplexer.ConnectAsync(_configuration);
}
