using System.Net;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Hosting;

/// <summary>The server as a process: it refuses bad configuration with one line and a non-zero exit.</summary>
public sealed class StartupTests
{
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(30);

    public static TheoryData<string, Dictionary<string, string>, string> BadConfigurations() => new()
    {
        { "Production without auth", new() { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, "Auth:SigningKey or Auth:Authority" },
        { "a short signing key", new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Auth__SigningKey"] = "too-short" }, "at least 32 bytes" },
        { "key and authority", new() { ["Auth__SigningKey"] = TestTokens.SigningKey, ["Auth__Authority"] = "https://login.example" }, "not both" },
        { "a retention that is no time span", new() { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["History__Retention"] = "banana" }, "History:Retention" },
        { "a zero history bound", new() { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["History__MaxEventsPerTopic"] = "0" }, "History:MaxEventsPerTopic" },
        { "a tiny delivery buffer", new() { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Delivery__MaxBufferedBytes"] = "100" }, "Delivery:MaxBufferedBytes" },
        { "a tiny delivery buffer under its earlier name", new() { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Sse__MaxBufferedBytes"] = "100" }, "Delivery:MaxBufferedBytes" },
        { "a gap wait of an hour", new() { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Delivery__GapWait"] = "01:00:00" }, "Delivery:GapWait" },
        { "an unparsable Redis string", new() { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Redis__ConnectionString"] = "127.0.0.1:6379,connectTimeout=soon" }, "Redis:ConnectionString" },
        { "a negative replica count", new() { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Redis__ReplicasToAcknowledge"] = "-1" }, "Redis:ReplicasToAcknowledge" },
        { "a replica wait of a minute", new() { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Redis__ReplicaWait"] = "00:01:00" }, "Redis:ReplicaWait" },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public Task Bad_configuration_stops_the_server_with_a_one_line_reason(string what, Dictionary<string, string> environment, string named) =>
        AssertRefusedAsync(what, environment, named);

    [Fact]
    public async Task Sentinels_addressed_without_a_service_name_stop_the_server()
    {
        await using var sentinel = await RedisServer.StartSentinelAsync([]);
        await AssertRefusedAsync("sentinels without serviceName", RedisAt(sentinel.ConnectionString), "serviceName=");
    }

    [Fact]
    public async Task More_replicas_to_acknowledge_than_the_primary_has_stop_the_server()
    {
        await using var redis = await RedisServer.StartAsync();
        await AssertRefusedAsync(
            "one replica to acknowledge on a server without replicas",
            new(RedisAt(redis.ConnectionString)) { ["Redis__ReplicasToAcknowledge"] = "1" },
            "Redis:ReplicasToAcknowledge is 1 but the primary");
    }

    [Fact]
    public async Task A_Redis_Cluster_whose_slots_are_not_assigned_stops_the_server()
    {
        await using var node = await RedisServer.StartInDirectoryAsync(["--cluster-enabled", "yes"]);
        await AssertRefusedAsync("a cluster node without slots", RedisAt(node.ConnectionString), "Redis Cluster that is not ready: 0 of its 16384 hash slots");
    }

    private static Dictionary<string, string> RedisAt(string connectionString) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Redis__ConnectionString"] = connectionString,
    };

    private static async Task AssertRefusedAsync(string what, Dictionary<string, string> environment, string named)
    {
        await using var server = ServerProcess.Start(environment);
        var exit = await server.WaitForExitAsync(ExitWithin);

        Assert.True(exit != 0, $"{what}: the server exited with 0");
        var lines = server.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{what}: expected one line on stderr, got: {server.StandardError}");
        Assert.Contains(named, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_without_auth_runs_open_and_warns_at_start_up()
    {
        var port = FreePort.Next();
        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" }, $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await Eventually.HoldsAsync(
            async () =>
            {
                Assert.False(server.HasExited, server.StandardError);
                try
                {
                    using var live = await http.GetAsync("/health/live");
                    return live.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            "the server to answer /health/live",
            TimeSpan.FromSeconds(30));
        Assert.Contains("Auth is off", server.StandardOutput, StringComparison.Ordinal);
    }
}
