using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Publishing;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Delivery;

/// <summary>
/// A publish stored in the history whose hand-off to the backplane was lost for good (as when the
/// publisher got 503 after the append, a replica's confirmation having timed out), retried with the same
/// idempotency key: the retry is answered as before, with the first id, and the stored event goes to the
/// backplane again, so every live subscriber gets it at once and once, with no later event of the topic
/// to reveal the gap. A retry of an event already delivered delivers nothing again. The gap wait is longer
/// than any wait here, so a gap filled from the history cannot be what delivers an event.
/// </summary>
public abstract class RetriedHandOffScenarios : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Delivery:GapWait"] = "00:01:00" };

    private SeamNodes _nodes = null!;

    private FailingHandOffs Seam => _nodes.Seam;

    private HubNode Publisher => _nodes.Publisher;

    public async Task InitializeAsync() => _nodes = await StartNodesAsync(Settings);

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task A_retry_of_a_stored_event_whose_hand_off_was_lost_delivers_it_live_once()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        await using var subscribers = await LiveSubscribers.StartAsync(topic, _nodes.All);
        var lost = Seam.Lose(topic, seq: 1);
        var key = Unique.Id("key");
        var completed = SampleData.BatchProgress(100, "completed");

        var first = await Publisher.PublishOkAsync(topic, EventTypes.BatchProgress, completed, key);
        await Eventually.HoldsAsync(() => lost.IsCompleted, "the seam loses the hand-off");
        var stored = Assert.Single(await Publisher.ReadAllAsync(topic));
        var retry = await Publisher.PublishOkAsync(topic, EventTypes.BatchProgress, completed, key);

        Assert.Equal(first, retry);
        await subscribers.AssertReceiveAsync([first]);
        foreach (var client in subscribers.Clients)
        {
            // The event as stored, not as the retry would have made it (a later timestamp).
            var received = Assert.Single(client.Events);
            Assert.Equal((stored.Id, stored.Seq, stored.Timestamp), (received.Id, received.Seq, received.Timestamp));
            Assert.True(JsonElement.DeepEquals(stored.Data, received.Data));
        }

        // Nothing of it arrives twice: the next event follows it directly everywhere.
        var later = await Publisher.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(100, "archived"));
        await subscribers.AssertReceiveAsync([first, later]);
        Assert.Equal([first, later], (await Publisher.ReadAllAsync(topic)).Select(e => e.Id));
    }

    [Fact]
    public async Task A_retried_batch_hands_on_the_item_whose_hand_off_was_lost()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        await using var subscribers = await LiveSubscribers.StartAsync(topic, _nodes.All);
        var lost = Seam.Lose(topic, seq: 2);
        BatchPublishItem[] items =
        [
            Item(topic, SampleData.BatchProgress(50)) with { IdempotencyKey = Unique.Id("key") },
            Item(topic, SampleData.BatchProgress(100, "completed")) with { IdempotencyKey = Unique.Id("key") },
        ];

        var first = await PublishBatchAsync(items);
        await Eventually.HoldsAsync(() => lost.IsCompleted, "the seam loses the second item's hand-off");
        await subscribers.AssertReceiveAsync([first[0]]);
        var retry = await PublishBatchAsync(items);

        Assert.Equal(first, retry);
        await subscribers.AssertReceiveAsync(first);
        var later = await Publisher.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(100, "archived"));
        await subscribers.AssertReceiveAsync([.. first, later]);
    }

    [Fact]
    public async Task A_retry_of_a_delivered_event_is_not_delivered_again()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        await using var subscribers = await LiveSubscribers.StartAsync(topic, _nodes.All);
        var key = Unique.Id("key");

        var first = await Publisher.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(10), key);
        await subscribers.AssertReceiveAsync([first]);
        var retry = await Publisher.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(10), key);

        Assert.Equal(first, retry);

        // The retry reached the backplane before the next event did; every relay dropped it as delivered.
        await Eventually.HoldsAsync(() => Seam.HandOffs(topic, seq: 1) == 2, "the retry hands the event on again");
        var later = await Publisher.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(20));
        await subscribers.AssertReceiveAsync([first, later]);
        Assert.Equal([first, later], (await Publisher.ReadAllAsync(topic)).Select(e => e.Id));
    }

    /// <summary>Starts the nodes, each with <paramref name="settings"/>.</summary>
    private protected abstract Task<SeamNodes> StartNodesAsync(IDictionary<string, string?> settings);

    private async Task<IReadOnlyList<string>> PublishBatchAsync(BatchPublishItem[] items)
    {
        using var response = await Publisher.PostJsonAsync("/api/events", items);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<BatchPublishAccepted>())!.Ids;
    }

    private static BatchPublishItem Item(string topic, object data) =>
        new() { Topic = topic, Type = EventTypes.BatchProgress, Data = JsonSerializer.SerializeToElement(data) };
}

/// <summary>The scenarios on the embedded default: one node, its in-memory groups and history.</summary>
public sealed class EmbeddedRetriedHandOffTests : RetriedHandOffScenarios
{
    private protected override Task<SeamNodes> StartNodesAsync(IDictionary<string, string?> settings) => SeamNodes.StartEmbeddedAsync(settings);
}

/// <summary>The scenarios on a redis-server: the publishing node and another one, which hears only the Redis backplane.</summary>
public sealed class RedisRetriedHandOffTests : RetriedHandOffScenarios
{
    private protected override Task<SeamNodes> StartNodesAsync(IDictionary<string, string?> settings) => SeamNodes.StartAsync(settings);
}
