using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RealtimeHub.Server.Redis;

/// <summary>
/// Looks at the Redis deployment once at start-up and refuses one the hub cannot work on, with a reason
/// that names the setting: sentinels addressed without <c>serviceName</c>, a Redis Cluster whose slots are
/// not all served, or fewer replicas than <see cref="RedisConnectionOptions.ReplicasToAcknowledge"/> asks for.
/// A deployment that cannot be reached at all is not refused: the node starts, answers 503 and joins once
/// Redis answers, as after any outage.
/// </summary>
internal sealed partial class RedisDeploymentCheck(
    RedisConnection redis, IOptions<RedisConnectionOptions> options, ILogger<RedisDeploymentCheck> logger) : IHostedService
{
    private const int HashSlots = 16384;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IServer[] servers;
        try
        {
            servers = (await redis.GetAsync()).GetServers();
        }
        catch (Exception ex) when (RedisConnection.IsUnreachable(ex))
        {
            LogUnreachable(logger, ex.Message);
            return;
        }

        // Without a service name the client talks to sentinels as if they were data servers, which they refuse.
        if (servers.Length > 0 && servers.All(s => s.ServerType == ServerType.Sentinel))
        {
            throw new RedisDeploymentException(
                "Redis:ConnectionString names Redis Sentinels but no service; add serviceName=<the name the sentinels monitor>, for example serviceName=mymaster.");
        }

        servers = [.. servers.Where(s => s.IsConnected)];
        if (servers.Length == 0)
        {
            LogUnreachable(logger, "no server answered");
            return;
        }

        var primaries = servers.Where(s => !s.IsReplica).ToArray();
        if (servers.Any(s => s.ServerType == ServerType.Cluster))
        {
            var served = primaries[0].ClusterConfiguration?.Nodes
                .Where(node => !node.IsReplica && !node.IsFail && !node.IsNoAddr)
                .Sum(node => node.Slots.Sum(range => range.To - range.From + 1)) ?? 0;
            if (served < HashSlots)
            {
                throw new RedisDeploymentException(
                    $"Redis:ConnectionString names a Redis Cluster that is not ready: {served} of its {HashSlots} hash slots are served.");
            }
        }

        var required = options.Value.ReplicasToAcknowledge;
        foreach (var server in required > 0 ? servers : [])
        {
            // The server's own ROLE says whether it is a primary (just after connecting, the client may not
            // yet know a cluster replica for one) and lists the replicas in sync, the ones WAIT can count on.
            if (await server.RoleAsync() is Role.Master master && master.Replicas.Count < required)
            {
                throw new RedisDeploymentException(
                    $"Redis:ReplicasToAcknowledge is {required} but the primary {server.EndPoint} has {master.Replicas.Count} replica(s) in sync.");
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Warning, "Redis cannot be reached at start-up ({Reason}); the node starts and answers 503 until it can.")]
    private static partial void LogUnreachable(ILogger logger, string reason);
}

/// <summary>The Redis deployment named in <c>Redis:ConnectionString</c> cannot carry the hub as configured.</summary>
public sealed class RedisDeploymentException(string message) : Exception(message);
