using System.Collections.Concurrent;
using System.Globalization;
using RealtimeHub.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Payloads.Batch;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Client;

/// <summary>How the typed client resumes when what it missed is gone, or when the history cannot be read yet.</summary>
public sealed class ResumeTests
{
    private const int HistoryBound = 5;

    [Fact]
    public async Task A_resume_from_an_id_older_than_the_retained_history_raises_HistoryReset_and_delivers_what_is_retained()
    {
        await using var redis = await RedisServer.StartAsync();
        var bounded = new Dictionary<string, string?> { ["History:MaxEventsPerTopic"] = HistoryBound.ToString(CultureInfo.InvariantCulture) };
        await using var publishingNode = await HubNode.StartAsync(redis.ConnectionString, bounded);
        var nodeA = await HubNode.StartAsync(redis.ConnectionString, bounded);
        var laterPort = FreePort.Next();
        var laterUrl = new Uri($"http://127.0.0.1:{laterPort}/");
        var options = ClientTestKit.Options(RealtimeHubProtocol.MessagePack, nodeA.BaseAddress, laterUrl);
        await using var client = new RealtimeHubClient(options);
        var order = new ConcurrentQueue<string>();
        var resets = new ConcurrentQueue<HistoryReset>();
        client.HistoryReset += resets.Enqueue;
        var topic = Topic.Batch(Unique.Id());
        await using var subscription = await client.SubscribeAsync<BatchProgressData>(topic, e =>
        {
            order.Enqueue(e.Id);
            return Task.CompletedTask;
        });
        var seen = await publishingNode.PublishOkAsync(topic.ToString(), EventTypes.BatchProgress, SampleData.BatchProgress(1));
        await Eventually.HoldsAsync(() => order.Contains(seen), "the first event is delivered");

        // The client's node goes away and nothing answers at the other URL while ten more events are published.
        await nodeA.DisposeAsync();
        var missed = await publishingNode.PublishBatchProgressAsync(topic.ToString(), 10, firstPercent: 2);
        await using var laterNode = await HubNode.StartAsync(redis.ConnectionString, new Dictionary<string, string?>(bounded) { ["urls"] = laterUrl.ToString() });

        await Eventually.HoldsAsync(() => order.Contains(missed[^1]) && !resets.IsEmpty, "the retained events and the reset reach the client");
        var reset = Assert.Single(resets);
        Assert.Equal((topic.ToString(), seen, missed[^HistoryBound]), (reset.Topic, reset.RequestedId, reset.OldestRetainedId));
        Assert.Equal([seen, .. missed.TakeLast(HistoryBound)], order);
    }

    [Fact]
    public async Task A_subscription_that_began_on_an_empty_topic_gets_every_event_published_while_its_connection_was_away()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var publishingNode = await HubNode.StartAsync(redis.ConnectionString);
        var nodeA = await HubNode.StartAsync(redis.ConnectionString);
        var laterPort = FreePort.Next();
        var laterUrl = new Uri($"http://127.0.0.1:{laterPort}/");
        await using var client = new RealtimeHubClient(ClientTestKit.Options(RealtimeHubProtocol.MessagePack, nodeA.BaseAddress, laterUrl));
        var resets = new ConcurrentQueue<HistoryReset>();
        client.HistoryReset += resets.Enqueue;
        var received = new Received<BatchProgressData>();
        var topic = Topic.Batch(Unique.Id());

        // Nothing was ever published to the topic, so the subscription starts with no event id at all.
        await using var subscription = await client.SubscribeAsync<BatchProgressData>(topic, received.Handle);
        Assert.Null(subscription.LastEventId);

        // The client's node goes away and nothing answers at the other URL while three events are published.
        await nodeA.DisposeAsync();
        var missed = await publishingNode.PublishBatchProgressAsync(topic.ToString(), 3, firstPercent: 10);
        await using var laterNode = await HubNode.StartAsync(redis.ConnectionString, new Dictionary<string, string?> { ["urls"] = laterUrl.ToString() });

        // An event published after the reconnect comes after the missed ones in id order, so once it is
        // handed over, everything the rejoin replayed (and any duplicate of it) would have been too.
        await Eventually.HoldsAsync(() => client.ConnectedUrl == laterNode.HubUrl(), "the client reconnects to the later node");
        var after = await publishingNode.PublishOkAsync(topic.ToString(), EventTypes.BatchProgress, SampleData.BatchProgress(50));
        await Eventually.HoldsAsync(() => received.Ids.Contains(after), "the event published after the reconnect is handed over");

        Assert.Equal([.. missed, after], received.Ids);
        Assert.Equal([10.0, 11.0, 12.0, 50.0], received.Events.Select(e => e.Data.ProgressPercentage!.Value));
        Assert.Empty(resets);
    }

    [Fact]
    public async Task A_subscribe_while_redis_is_down_is_retried_and_completes_with_the_events_once_redis_is_back()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await HubNode.StartAsync(redis.ConnectionString);
        await using var client = new RealtimeHubClient(ClientTestKit.Options(RealtimeHubProtocol.Json, node));
        await client.StartAsync();
        var topic = Topic.Batch(Unique.Id());

        await redis.StopAsync();
        var received = new Received<BatchProgressData>();
        var subscribing = client.SubscribeAsync<BatchProgressData>(topic, received.Handle);
        await redis.StartAgainAsync();
        await using var subscription = await Eventually.WithinAsync(subscribing, "the subscription to complete once Redis is back");

        using var publisher = new RealtimeHubPublisher(ClientTestKit.Options(RealtimeHubProtocol.Json, node));
        var id = await publisher.PublishAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(5));
        await received.WaitForCountAsync(1);
        Assert.Equal([id], received.Ids);
    }
}
