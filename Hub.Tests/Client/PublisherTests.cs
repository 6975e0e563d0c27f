using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RealtimeHub.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Payloads.Batch;
using RealtimeHub.Contracts.Publishing;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Client;

/// <summary>The HTTP publisher: retries that cannot duplicate, and rejections that say what was wrong.</summary>
[Collection(RedisClusterDefinition.Name)]
public sealed class PublisherTests(RedisCluster cluster)
{
    [Fact]
    public async Task A_publish_that_meets_503s_while_redis_restarts_is_retried_with_its_key_and_stored_exactly_once()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await HubNode.StartAsync(redis.ConnectionString);
        var log = new RecordingLogger();
        using var http = new HttpClient();
        var publisher = new RealtimeHubPublisher(http, ClientTestKit.Options(RealtimeHubProtocol.Json, node), log);
        var topic = Topic.Batch(Unique.Id());

        await redis.StopAsync();
        var publishing = publisher.PublishAsync(topic, EventTypes.BatchProgress, new BatchProgressData { Stage = "processing", ProgressPercentage = 10 });
        await Eventually.HoldsAsync(() => log.Messages.Any(m => m.Contains("503", StringComparison.Ordinal)), "the publisher has met a 503 and waits to retry");
        await redis.StartAgainAsync();
        var id = await Eventually.WithinAsync(publishing, "the retried publish to be accepted", TimeSpan.FromSeconds(30));

        var stored = await node.ReadAllAsync(topic.ToString());
        Assert.Equal([id], stored.Select(e => e.Id));
        Assert.Equal(10, stored[0].Data.GetProperty("progress_percentage").GetDouble());
    }

    [Fact]
    public async Task A_publish_with_the_same_idempotency_key_returns_the_first_id_and_stores_one_event()
    {
        var publisher = Publisher(out var log);
        var topic = Topic.Merchant(Unique.Id());
        var key = Unique.Id("key");

        var first = await publisher.PublishAsync(topic, EventTypes.MerchantStage, new { poId = "po-1", stage = "database_save" }, key);
        var again = await publisher.PublishAsync(topic, EventTypes.MerchantStage, new { poId = "po-1", stage = "database_save" }, key);

        Assert.Equal(first, again);
        Assert.Equal([first], (await cluster.NodeA.ReadAllAsync(topic.ToString())).Select(e => e.Id));
        Assert.Empty(log.Messages);
    }

    [Fact]
    public async Task A_batch_publish_returns_the_ids_in_order_and_a_subscriber_gets_the_events_in_that_order()
    {
        var publisher = Publisher(out _);
        var topic = Topic.Batch(Unique.Id());
        await using var client = new RealtimeHubClient(ClientTestKit.Options(RealtimeHubProtocol.MessagePack, cluster.NodeB));
        var received = new Received<BatchProgressData>();
        await using var subscription = await client.SubscribeAsync<BatchProgressData>(topic, received.Handle);

        var ids = await publisher.PublishBatchAsync(Enumerable.Range(1, 5).Select(i => new BatchPublishItem
        {
            Topic = topic.ToString(),
            Type = EventTypes.BatchProgress,
            Data = JsonSerializer.SerializeToElement(SampleData.BatchProgress(i * 10)),
        }));

        await received.WaitForCountAsync(5);
        Assert.Equal(ids, received.Ids);
        Assert.Equal([10.0, 20.0, 30.0, 40.0, 50.0], received.Events.Select(e => e.Data.ProgressPercentage!.Value));
    }

    [Fact]
    public async Task An_out_of_range_value_throws_at_once_with_the_problem_title_detail_and_field_and_stores_nothing()
    {
        var publisher = Publisher(out var log);
        var topic = Topic.Batch(Unique.Id());

        var error = await Assert.ThrowsAsync<RealtimeHubPublishException>(() =>
            publisher.PublishAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(150)));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("The event was rejected.", error.Title);
        Assert.Equal("data.progress_percentage", error.Field);
        Assert.Contains("data.progress_percentage", error.Detail, StringComparison.Ordinal);
        Assert.Contains(error.Detail!, error.Message, StringComparison.Ordinal);
        Assert.Empty(log.Messages);
        Assert.Empty(await cluster.NodeA.ReadAllAsync(topic.ToString()));
    }

    [Fact]
    public async Task An_unknown_event_type_throws_naming_the_type_field()
    {
        var publisher = Publisher(out _);

        var error = await Assert.ThrowsAsync<RealtimeHubPublishException>(() =>
            publisher.PublishAsync(Topic.Bom(Unique.Id()), EventTypes.BatchProgress, new { stage = "x" }));

        Assert.Equal((HttpStatusCode.BadRequest, "type"), (error.StatusCode, error.Field));
        Assert.Contains("is not an event type of a bom topic", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_over_64_KiB_throws_with_413_and_is_not_retried()
    {
        var publisher = Publisher(out var log);

        var error = await Assert.ThrowsAsync<RealtimeHubPublishException>(() =>
            publisher.PublishAsync(Topic.Merchant(Unique.Id()), EventTypes.MerchantStage, new { stage = "ai_parsing", message = new string('x', 70 * 1024) }));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, error.StatusCode);
        Assert.Equal("The event is too large.", error.Title);
        Assert.Empty(log.Messages);
    }

    [Fact]
    public async Task A_batch_with_one_bad_item_throws_naming_its_index_and_stores_none_of_them()
    {
        var publisher = Publisher(out _);
        var topic = Topic.Batch(Unique.Id());
        BatchPublishItem Item(double percent) => new()
        {
            Topic = topic.ToString(),
            Type = EventTypes.BatchProgress,
            Data = JsonSerializer.SerializeToElement(SampleData.BatchProgress(percent)),
        };

        var error = await Assert.ThrowsAsync<RealtimeHubPublishException>(() => publisher.PublishBatchAsync([Item(10), Item(-5), Item(30)]));

        Assert.Equal((HttpStatusCode.BadRequest, 1), (error.StatusCode, error.Index));
        Assert.Contains("Item 1", error.Detail, StringComparison.Ordinal);
        Assert.Empty(await cluster.NodeA.ReadAllAsync(topic.ToString()));
    }

    private RealtimeHubPublisher Publisher(out RecordingLogger log)
    {
        log = new RecordingLogger();
        return new RealtimeHubPublisher(cluster.NodeA.Http, ClientTestKit.Options(RealtimeHubProtocol.Json, cluster.NodeA), log);
    }

    /// <summary>Keeps what the publisher logs, so a test can see that it is waiting to retry.</summary>
    private sealed class RecordingLogger : ILogger<RealtimeHubPublisher>
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyList<string> Messages => [.. _messages];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _messages.Enqueue(formatter(state, exception));
    }
}
