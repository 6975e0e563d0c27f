using System.Net;
using Microsoft.AspNetCore.SignalR;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.EventPath;

/// <summary>A <c>Subscribe</c> that fails because Redis is down does not use up the connection's topic quota.</summary>
public sealed class TopicQuotaOutageTests
{
    [Fact]
    public async Task Subscribes_that_fail_during_a_Redis_outage_leave_the_topic_quota_as_it_was()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await HubNode.StartAsync(redis.ConnectionString, new Dictionary<string, string?> { ["Limits:MaxTopicsPerConnection"] = "2" });
        await using var client = await HubClient.ConnectAsync(node);
        await client.SubscribeAsync(Topic.Batch(Unique.Id()).ToString());

        await redis.StopAsync();
        try
        {
            // One slot is free; each of these is counted against it before Redis is asked.
            for (var i = 0; i < 3; i++)
            {
                var failed = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(Topic.Batch(Unique.Id()).ToString()));
                Assert.Contains("unavailable", failed.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            await redis.StartAgainAsync();
            await Eventually.HoldsAsync(
                async () => (await node.Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "the node is ready again", TimeSpan.FromSeconds(30));
        }

        // The free slot is still free, and the quota still holds after it.
        await client.SubscribeAsync(Topic.Batch(Unique.Id()).ToString());
        var over = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(Topic.Batch(Unique.Id()).ToString()));
        Assert.Contains("the most allowed", over.Message, StringComparison.Ordinal);
    }
}
