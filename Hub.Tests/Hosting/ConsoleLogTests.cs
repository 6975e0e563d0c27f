using System.Globalization;
using System.Text.Json;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Hosting;

/// <summary>
/// The console log of the server run as an operator runs it: JSON lines in Production, with the stable
/// event ids of the hub's log definitions; the standard <c>Logging__Console__FormatterName</c> still wins.
/// </summary>
public sealed class ConsoleLogTests
{
    private const string BridgeCategory = "RealtimeHub.Server.Bridge.RedisBridge";

    [Fact]
    public async Task In_production_each_console_line_is_a_json_object_with_the_event_id()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = ServerProcess.Start(ProductionWithRedis(redis));

        // The bridge's "ingesting" line: BridgeLog.Subscribed, event id 1.
        var line = await LineAsync(server, l => l.Contains("Redis bridge ingesting", StringComparison.Ordinal));
        using var entry = JsonDocument.Parse(line);
        var root = entry.RootElement;
        Assert.Equal(1, root.GetProperty("EventId").GetInt32());
        Assert.Equal("Information", root.GetProperty("LogLevel").GetString());
        Assert.Equal(BridgeCategory, root.GetProperty("Category").GetString());
        var channel = root.GetProperty("State").GetProperty("Channel").GetString();
        Assert.Equal($"Redis bridge ingesting {channel}.", root.GetProperty("Message").GetString());
        var timestamp = DateTimeOffset.Parse(root.GetProperty("Timestamp").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.Zero, timestamp.Offset);

        // Every line the server wrote is JSON, the framework's own included.
        Assert.All(Lines(server), l => JsonDocument.Parse(l).Dispose());
    }

    [Fact]
    public async Task The_standard_formatter_setting_brings_back_text_lines()
    {
        await using var redis = await RedisServer.StartAsync();
        var environment = ProductionWithRedis(redis);
        environment["Logging__Console__FormatterName"] = "simple";
        await using var server = ServerProcess.Start(environment);

        var line = await LineAsync(server, l => l.Contains($"{BridgeCategory}[1]", StringComparison.Ordinal));
        Assert.StartsWith("info: ", line, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> ProductionWithRedis(RedisServer redis) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Auth__SigningKey"] = TestTokens.SigningKey,
        ["Redis__ConnectionString"] = redis.ConnectionString,
    };

    private static List<string> Lines(ServerProcess server) =>
        [.. server.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static async Task<string> LineAsync(ServerProcess server, Func<string, bool> match)
    {
        await Eventually.HoldsAsync(
            () =>
            {
                Assert.False(server.HasExited, server.StandardError);
                return Lines(server).Any(match);
            },
            "the server to log the line",
            TimeSpan.FromSeconds(30));
        return Lines(server).First(match);
    }
}
