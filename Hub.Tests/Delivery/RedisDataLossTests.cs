using System.Net;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Delivery;

/// <summary>
/// A Redis without persistence comes back empty, and every topic's sequence starts again at 1 with
/// later ids. The nodes tell that from events they already delivered and go on delivering.
/// </summary>
public sealed class RedisDataLossTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private HubNode _node = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _node = await HubNode.StartAsync(_redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Events_numbered_from_1_again_after_Redis_lost_its_data_still_reach_open_connections()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        await using var client = await HubClient.ConnectAsync(_node);
        await client.SubscribeAsync(topic);
        await using var stream = await SseTestClient.OpenAsync(_node, $"/api/sse?topic={topic}");
        var before = await _node.PublishBatchProgressAsync(topic, 3);
        await Eventually.HoldsAsync(() => client.EventCount >= 3, "the first three events arrive");

        await _redis.StopAsync();
        await _redis.StartAgainAsync();
        await Eventually.HoldsAsync(
            async () => (await _node.Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "the node is ready again", TimeSpan.FromSeconds(60));
        var after = await _node.PublishBatchProgressAsync(topic, 2, firstPercent: 10);

        await Eventually.HoldsAsync(() => client.EventCount >= 5, "the events after the restart arrive");
        Assert.Equal([.. before, .. after], client.Events.Select(e => e.Id));
        Assert.Equal([1L, 2, 3, 1, 2], client.Events.Select(e => e.Seq));
        Assert.Equal([.. before, .. after], (await stream.TakeAsync(5)).Select(SseTestClient.EventIdOf));
    }
}
