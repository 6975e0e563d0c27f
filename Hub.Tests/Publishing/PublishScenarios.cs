using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Publishing;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Publishing;

/// <summary>Idempotent and batch publishing (docs/contract.md, Publishing), run against the embedded default and against real Redis.</summary>
public abstract class PublishScenarios(ScenarioNodes nodes)
{
    private HubNode Node => nodes.Node;

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_returns_the_first_id_and_is_stored_and_delivered_once()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        await using var subscriber = await HubClient.ConnectAsync(Node);
        await subscriber.SubscribeAsync(topic);
        var key = Unique.Id("key");

        var first = await Node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(10), key);
        var retry = await Node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(10), key);
        var marker = await Node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(20));
        await subscriber.WaitForEventAsync(marker);

        Assert.Equal(first, retry);
        Assert.Equal([first, marker], subscriber.Events.Select(e => e.Id));
        Assert.Equal([first, marker], (await Node.ReadAllAsync(topic)).Select(e => e.Id));
    }

    [Fact]
    public async Task A_retry_of_an_event_the_history_has_trimmed_still_returns_the_first_id_and_delivers_nothing()
    {
        var bounded = nodes.BoundedNode;
        var topic = Topic.Batch(Unique.Id()).ToString();
        await using var subscriber = await HubClient.ConnectAsync(bounded);
        await subscriber.SubscribeAsync(topic);
        var key = Unique.Id("key");
        var first = await bounded.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(10), key);
        var after = await bounded.PublishBatchProgressAsync(topic, ScenarioNodes.HistoryBound, firstPercent: 11);
        Assert.DoesNotContain(first, (await bounded.ReadAllAsync(topic)).Select(e => e.Id));

        var retry = await bounded.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(10), key);
        var marker = await bounded.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(90));
        await subscriber.WaitForEventAsync(marker);

        Assert.Equal(first, retry);
        Assert.Equal([first, .. after, marker], subscriber.Events.Select(e => e.Id));
    }

    [Fact]
    public async Task A_batch_publish_answers_the_ids_in_item_order_and_stores_every_item()
    {
        var bom = Topic.Bom(Unique.Id()).ToString();
        var batch = Topic.Batch(Unique.Id()).ToString();
        BatchPublishItem[] items =
        [
            Item(bom, EventTypes.EnrichmentStarted, new { event_type = EventTypes.EnrichmentStarted }),
            Item(batch, EventTypes.BatchProgress, SampleData.BatchProgress(5)),
            Item(bom, EventTypes.EnrichmentProgress, SampleData.BomProgress("b", 40)),
            Item(batch, EventTypes.BatchProgress, SampleData.BatchProgress(6)),
        ];

        var ids = await PublishBatchAsync(items);

        Assert.Equal(4, ids.Count);
        var storedBom = await Node.ReadAllAsync(bom);
        var storedBatch = await Node.ReadAllAsync(batch);
        Assert.Equal([ids[0], ids[2]], storedBom.Select(e => e.Id));
        Assert.Equal([EventTypes.EnrichmentStarted, EventTypes.EnrichmentProgress], storedBom.Select(e => e.Type));
        Assert.Equal([ids[1], ids[3]], storedBatch.Select(e => e.Id));
        Assert.Equal([5.0, 6.0], storedBatch.Select(e => e.Data.GetProperty("progress_percentage").GetDouble()));
    }

    [Fact]
    public async Task A_retried_batch_with_idempotency_keys_returns_the_first_ids_and_stores_nothing_new()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        BatchPublishItem[] items =
        [
            Item(topic, EventTypes.BatchProgress, SampleData.BatchProgress(1)) with { IdempotencyKey = Unique.Id("key") },
            Item(topic, EventTypes.BatchProgress, SampleData.BatchProgress(2)) with { IdempotencyKey = Unique.Id("key") },
        ];

        var first = await PublishBatchAsync(items);
        var retry = await PublishBatchAsync(items);

        Assert.Equal(first, retry);
        Assert.Equal(first, (await Node.ReadAllAsync(topic)).Select(e => e.Id));
    }

    [Fact]
    public async Task One_bad_item_rejects_the_whole_batch_with_its_index_and_stores_nothing()
    {
        var fresh = Topic.Batch(Unique.Id()).ToString();
        var used = Topic.Batch(Unique.Id()).ToString();
        var before = await Node.PublishOkAsync(used, EventTypes.BatchProgress, SampleData.BatchProgress(1));
        BatchPublishItem[] items =
        [
            Item(fresh, EventTypes.BatchProgress, SampleData.BatchProgress(10)),
            Item(used, EventTypes.BatchProgress, SampleData.BatchProgress(20)),
            Item(used, EventTypes.BatchProgress, SampleData.BatchProgress(150)),
            Item(fresh, EventTypes.BatchProgress, SampleData.BatchProgress(30)),
        ];

        using var response = await Node.PostJsonAsync("/api/events", items);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(2, problem.GetProperty("index").GetInt32());
        Assert.Contains("progress_percentage", problem.Detail(), StringComparison.Ordinal);
        Assert.Empty(await Node.ReadAsync(fresh));
        Assert.Empty(await Node.ReadAsync(used, before));
        Assert.Equal(before, Assert.Single(await Node.ReadAsync(used)).Id);
    }

    private async Task<IReadOnlyList<string>> PublishBatchAsync(BatchPublishItem[] items)
    {
        using var response = await Node.PostJsonAsync("/api/events", items);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<BatchPublishAccepted>())!.Ids;
    }

    private static BatchPublishItem Item(string topic, string type, object data) =>
        new() { Topic = topic, Type = type, Data = JsonSerializer.SerializeToElement(data) };
}

[Collection(EmbeddedNodesDefinition.Name)]
public sealed class EmbeddedPublishScenarios(EmbeddedNodes nodes) : PublishScenarios(nodes);

[Collection(RedisNodesDefinition.Name)]
public sealed class RedisPublishScenarios(RedisNodes nodes) : PublishScenarios(nodes);

[Collection(SentinelNodesDefinition.Name)]
public sealed class SentinelPublishScenarios(SentinelNodes nodes) : PublishScenarios(nodes);

[Collection(ClusterNodesDefinition.Name)]
public sealed class ClusterPublishScenarios(ClusterNodes nodes) : PublishScenarios(nodes);
