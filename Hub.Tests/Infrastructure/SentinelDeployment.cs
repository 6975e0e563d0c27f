using System.Globalization;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// Redis under Sentinel on loopback, as operators run it: a primary, two replicas and three sentinels
/// (quorum two) watching the primary as <see cref="ServiceName"/>, which promote a replica about a second
/// after the primary stops answering. Two replicas, so that after losing the primary the new one still
/// has a replica to confirm writes (<c>Redis:ReplicasToAcknowledge</c> 1).
/// </summary>
public sealed class SentinelDeployment : IReplicatedRedis
{
    public const string ServiceName = "mymaster";

    private SentinelDeployment(RedisServer primary, IReadOnlyList<RedisServer> replicas, IReadOnlyList<RedisServer> sentinels)
    {
        Primary = primary;
        Replicas = replicas;
        Sentinels = sentinels;
    }

    /// <summary>The server that was primary when the deployment started.</summary>
    public RedisServer Primary { get; }

    /// <summary>The servers that were its replicas.</summary>
    public IReadOnlyList<RedisServer> Replicas { get; }

    public IReadOnlyList<RedisServer> Sentinels { get; }

    /// <summary>The hub's <c>Redis:ConnectionString</c>: the sentinels and the service name.</summary>
    public string ConnectionString => $"{string.Join(',', Sentinels.Select(s => s.ConnectionString))},serviceName={ServiceName}";

    public static async Task<SentinelDeployment> StartAsync()
    {
        var primary = await RedisServer.StartAsync([]);
        var replicas = new List<RedisServer>();
        for (var i = 0; i < 2; i++)
        {
            replicas.Add(await RedisServer.StartAsync(["--replicaof", "127.0.0.1", Port(primary)]));
        }

        await Eventually.HoldsAsync(
            async () => await primary.OnlineReplicasAsync() == 2, "both replicas are in sync with the primary");
        var sentinels = new List<RedisServer>();
        for (var i = 0; i < 3; i++)
        {
            sentinels.Add(await RedisServer.StartSentinelAsync(
            [
                $"sentinel monitor {ServiceName} 127.0.0.1 {Port(primary)} 2",
                $"sentinel down-after-milliseconds {ServiceName} 1000",
                $"sentinel failover-timeout {ServiceName} 10000",
                $"sentinel parallel-syncs {ServiceName} 1",
            ]));
        }

        var deployment = new SentinelDeployment(primary, replicas, sentinels);

        // Each sentinel must know the replica and the other sentinels before it can fail over.
        await Eventually.HoldsAsync(
            async () =>
        {
            foreach (var sentinel in sentinels)
            {
                var master = await sentinel.CliAsync("sentinel", "master", ServiceName);
                if (!master.Contains("\nnum-slaves\n2\n", StringComparison.Ordinal) || !master.Contains("\nnum-other-sentinels\n2\n", StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        },
            "every sentinel knows both replicas and the other sentinels");
        return deployment;
    }

    /// <summary>Kills the primary (there is one for every topic).</summary>
    public Task KillPrimaryOfAsync(string topic) => Primary.StopAsync();

    /// <summary>Waits until every sentinel names the same replica as the primary and the other replica follows it.</summary>
    public Task WaitForFailoverAsync() => Eventually.HoldsAsync(
        async () =>
    {
        var named = new HashSet<int>();
        foreach (var sentinel in Sentinels)
        {
            var address = (await sentinel.CliAsync("sentinel", "get-master-addr-by-name", ServiceName)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            named.Add(int.Parse(address[1], CultureInfo.InvariantCulture));
        }

        return named.Count == 1 && Replicas.SingleOrDefault(r => r.Port == named.Single()) is { } promoted
            && await promoted.OnlineReplicasAsync() == 1;
    },
        "the sentinels have promoted a replica and the other follows it");

    public async ValueTask DisposeAsync()
    {
        foreach (var server in (RedisServer[])[.. Sentinels, .. Replicas, Primary])
        {
            await server.DisposeAsync();
        }
    }

    private static string Port(RedisServer server) => server.Port.ToString(CultureInfo.InvariantCulture);
}
