using System.Globalization;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// A Redis Cluster on loopback, set up as operators do with <c>redis-cli --cluster create</c>: three
/// primaries sharing the 16384 hash slots and one replica each, which takes over about two seconds
/// after its primary stops answering.
/// </summary>
public sealed class RedisClusterDeployment : IReplicatedRedis
{
    private const string NodeTimeoutMs = "2000";

    private static readonly TimeSpan Settling = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyList<RedisServer> _nodes;
    private RedisServer? _killed;

    private RedisClusterDeployment(IReadOnlyList<RedisServer> nodes) => _nodes = nodes;

    /// <summary>Two of the nodes: the client learns the rest of the cluster from them.</summary>
    public string ConnectionString => $"{_nodes[0].ConnectionString},{_nodes[1].ConnectionString}";

    public static async Task<RedisClusterDeployment> StartAsync()
    {
        var nodes = new List<RedisServer>();
        for (var i = 0; i < 6; i++)
        {
            nodes.Add(await RedisServer.StartInDirectoryAsync(["--cluster-enabled", "yes", "--cluster-node-timeout", NodeTimeoutMs]));
        }

        var deployment = new RedisClusterDeployment(nodes);
        await RedisCli.RunAsync(["--cluster", "create", .. nodes.Select(n => n.ConnectionString), "--cluster-replicas", "1", "--cluster-yes"]);
        await WaitUntilSettledAsync(nodes);
        return deployment;
    }

    /// <summary>Kills the primary that serves the hash slot of <paramref name="topic"/>'s keys.</summary>
    public async Task KillPrimaryOfAsync(string topic)
    {
        var slot = int.Parse(await _nodes[0].CliAsync("cluster", "keyslot", $"rh:history:{{{topic}}}"), CultureInfo.InvariantCulture);
        var port = PrimaryOf(await _nodes[0].CliAsync("cluster", "nodes"), slot);
        _killed = _nodes.Single(n => n.Port == port);
        await _killed.StopAsync();
    }

    /// <summary>
    /// Waits until the killed primary's replica has taken over its slots, then starts the killed node
    /// again (as an orchestrator restarts a crashed pod): it rejoins as the replica of its successor.
    /// </summary>
    public async Task WaitForFailoverAsync()
    {
        var killed = _killed ?? throw new InvalidOperationException("No primary was killed.");
        var survivors = _nodes.Where(n => n != killed).ToList();
        await Eventually.HoldsAsync(
            async () => (await survivors[0].CliAsync("cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal)
                && PrimaryPorts(await survivors[0].CliAsync("cluster", "nodes")) is { Count: 3 } primaries && !primaries.Contains(killed.Port),
            "a replica has taken over the killed primary's slots",
            Settling);
        await killed.StartAgainAsync();
        await WaitUntilSettledAsync(_nodes);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    /// <summary>Waits until every node sees the cluster ok with three primaries, each with a connected replica.</summary>
    private static Task WaitUntilSettledAsync(IReadOnlyList<RedisServer> nodes) => Eventually.HoldsAsync(
        async () =>
    {
        foreach (var node in nodes)
        {
            if (!(await node.CliAsync("cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                return false;
            }
        }

        var primaries = PrimaryPorts(await nodes[0].CliAsync("cluster", "nodes"));
        if (primaries.Count != 3)
        {
            return false;
        }

        foreach (var primary in nodes.Where(n => primaries.Contains(n.Port)))
        {
            if (await primary.OnlineReplicasAsync() != 1)
            {
                return false;
            }
        }

        return true;
    },
        "the cluster is ok with three primaries, each with a replica in sync",
        Settling);

    /// <summary>The ports of the live primaries in a <c>CLUSTER NODES</c> reply.</summary>
    private static HashSet<int> PrimaryPorts(string clusterNodes) =>
        [.. Lines(clusterNodes).Where(f => f[2].Contains("master", StringComparison.Ordinal) && !f[2].Contains("fail", StringComparison.Ordinal)).Select(PortOf)];

    /// <summary>The port of the live primary serving <paramref name="slot"/>, from a <c>CLUSTER NODES</c> reply.</summary>
    private static int PrimaryOf(string clusterNodes, int slot) => PortOf(Lines(clusterNodes).Single(f =>
        f[2].Contains("master", StringComparison.Ordinal) && !f[2].Contains("fail", StringComparison.Ordinal) && f.Skip(8).Any(range =>
        {
            var bounds = range.Split('-');
            var from = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            var to = bounds.Length > 1 ? int.Parse(bounds[1], CultureInfo.InvariantCulture) : from;
            return slot >= from && slot <= to;
        })));

    private static IEnumerable<string[]> Lines(string clusterNodes) =>
        clusterNodes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static int PortOf(string[] fields) => int.Parse(fields[1][(fields[1].LastIndexOf(':') + 1)..fields[1].IndexOf('@', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
}
