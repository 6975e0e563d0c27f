using Microsoft.Extensions.Options;
using RealtimeHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeHub.Tests.Bridge;

/// <summary>The bridge's settings: it can be switched off, and a bad window stops the node naming the setting.</summary>
public sealed class BridgeSettingsTests : IAsyncLifetime
{
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task With_Bridge_Enabled_false_a_node_on_Redis_leaves_the_products_channels_alone()
    {
        await using var node = await HubNode.StartAsync(_redis.ConnectionString, new Dictionary<string, string?> { ["Bridge:Enabled"] = "false" });
        await using var worker = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);

        var receivers = await worker.GetSubscriber().PublishAsync(RedisChannel.Literal($"batch:{Unique.Id()}:progress"), WorkerPayloads.Batch(10));

        Assert.Equal(0, receivers);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("2.00:00:00")]
    public async Task A_dedup_window_out_of_range_stops_the_node_naming_the_setting(string window)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            HubNode.StartAsync(_redis.ConnectionString, new Dictionary<string, string?> { ["Bridge:DedupWindow"] = window }));

        Assert.Contains("Bridge:DedupWindow", failure.Message, StringComparison.Ordinal);
    }
}
