using RealtimeHub.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Payloads.Batch;
using RealtimeHub.Contracts.Payloads.Bom;
using RealtimeHub.Contracts.Payloads.Merchant;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeHub.Tests.Client;

/// <summary>Typed subscriptions, as callbacks and as streams, on two nodes sharing one redis-server.</summary>
[Collection(RedisClusterDefinition.Name)]
public sealed class SubscriptionTests(RedisCluster cluster)
{
    [Theory]
    [InlineData(RealtimeHubProtocol.MessagePack)]
    [InlineData(RealtimeHubProtocol.Json)]
    public async Task Merchant_events_arrive_as_MerchantEventData_with_their_extra_fields_and_the_raw_envelope(RealtimeHubProtocol protocol)
    {
        await using var client = new RealtimeHubClient(ClientTestKit.Options(protocol, cluster.NodeA));
        var merchantId = Unique.Id("m");
        var received = new Received<MerchantEventData>();
        await using var subscription = await client.SubscribeMerchantAsync(merchantId, received.Handle);

        var id = await cluster.NodeB.PublishOkAsync(Topic.Merchant(merchantId).ToString(), EventTypes.MerchantProgress, new
        {
            poId = "po-7",
            workflowId = "wf-7",
            stage = "ai_parsing",
            status = "processing",
            progress = 45,
            message = "Parsing chunk 3 of 5",
            itemsProcessed = 12,
            totalItems = 30,
            chunkProgress = new { current = 3, total = 5 },
            confidence = 0.93,
        });

        await received.WaitForCountAsync(1);
        var e = Assert.Single(received.Events);
        Assert.Equal(id, e.Id);
        Assert.Equal($"merchant:{merchantId}", e.Topic);
        Assert.Equal(EventTypes.MerchantProgress, e.Type);
        Assert.Equal("po-7", e.Data.PoId);
        Assert.Equal("ai_parsing", e.Data.Stage);
        Assert.Equal(45, e.Data.Progress);
        Assert.Equal(12, e.Data.ItemsProcessed);
        Assert.Equal(new ChunkProgress { Current = 3, Total = 5 }, e.Data.ChunkProgress);
        Assert.Equal(0.93, e.Data.Extra!["confidence"].GetDouble());
        Assert.Equal("wf-7", e.Envelope.Data.GetProperty("workflowId").GetString());
        Assert.False(e.IsTerminal);
    }

    [Theory]
    [InlineData(RealtimeHubProtocol.MessagePack)]
    [InlineData(RealtimeHubProtocol.Json)]
    public async Task Bom_events_arrive_as_BomEnrichmentEvent_with_their_state_and_the_stream_reaches_the_terminal_event(RealtimeHubProtocol protocol)
    {
        await using var client = new RealtimeHubClient(ClientTestKit.Options(protocol, cluster.NodeA));
        var bomId = Unique.Id("bom");
        var topic = Topic.Bom(bomId).ToString();
        await cluster.NodeB.PublishOkAsync(topic, EventTypes.EnrichmentStarted, new { event_type = EventTypes.EnrichmentStarted, bom_id = bomId, organization_id = "org-1" });

        var seen = new List<ProgressEvent<BomEnrichmentEvent>>();
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        await foreach (var e in client.StreamBomAsync(bomId, timeout.Token))
        {
            seen.Add(e);
            if (seen.Count == 1)
            {
                await cluster.NodeB.PublishOkAsync(topic, EventTypes.EnrichmentProgress, new
                {
                    event_type = EventTypes.EnrichmentProgress,
                    bom_id = bomId,
                    state = new
                    {
                        status = "enriching",
                        total_items = 100,
                        enriched_items = 52,
                        failed_items = 1,
                        percent_complete = 52.0,
                        current_item = new { mpn = "LM317T", status = "processing", message = "Looking up" },
                        estimated_time_remaining = 90,
                    },
                    payload = new { batch = 3 },
                });
                await cluster.NodeB.PublishOkAsync(topic, EventTypes.EnrichmentCompleted, new { event_type = EventTypes.EnrichmentCompleted, bom_id = bomId, state = new { status = "completed", percent_complete = 100.0 } });
            }

            if (e.IsTerminal)
            {
                break;
            }
        }

        Assert.Equal([EventTypes.EnrichmentStarted, EventTypes.EnrichmentProgress, EventTypes.EnrichmentCompleted], seen.Select(e => e.Type));
        Assert.Equal("org-1", seen[0].Data.OrganizationId);
        var state = seen[1].Data.State!;
        Assert.Equal(("enriching", 100L, 52L, 1L, 52.0), (state.Status, state.TotalItems, state.EnrichedItems, state.FailedItems, state.PercentComplete));
        Assert.Equal("LM317T", state.CurrentItem!.Mpn);
        Assert.Equal(90, state.EstimatedTimeRemaining);
        Assert.Equal(3, seen[1].Data.Payload!.Value.GetProperty("batch").GetInt32());
        Assert.True(seen[2].IsTerminal);
    }

    [Theory]
    [InlineData(RealtimeHubProtocol.MessagePack)]
    [InlineData(RealtimeHubProtocol.Json)]
    public async Task Batch_events_arrive_as_BatchProgressData_and_a_late_subscriber_starts_from_the_latest_report(RealtimeHubProtocol protocol)
    {
        await using var client = new RealtimeHubClient(ClientTestKit.Options(protocol, cluster.NodeB));
        var batchId = Unique.Id("batch");
        var ids = await cluster.NodeA.PublishBatchProgressAsync(Topic.Batch(batchId).ToString(), 3, firstPercent: 50);

        var received = new Received<BatchProgressData>();
        await using var subscription = await client.SubscribeBatchAsync(batchId, received.Handle);
        var completed = await cluster.NodeA.PublishOkAsync(Topic.Batch(batchId).ToString(), EventTypes.BatchProgress, new
        {
            stage = "completed",
            message = "Done",
            progress_percentage = 100,
            sheets_total = 100,
            sheets_processed = 100,
            elapsed_seconds = 12.5,
            timestamp = "2026-11-22T10:00:00Z",
        });

        await received.WaitForCountAsync(2);
        Assert.Equal([ids[^1], completed], received.Ids);
        Assert.Equal(("processing", 52.0, 100L, 52L), (received.Events[0].Data.Stage, received.Events[0].Data.ProgressPercentage, received.Events[0].Data.SheetsTotal, received.Events[0].Data.SheetsProcessed));
        var last = received.Events[1];
        Assert.Equal(("completed", 100L, 12.5, "2026-11-22T10:00:00Z"), (last.Data.Stage, last.Data.SheetsProcessed, last.Data.ElapsedSeconds, last.Data.Timestamp));
        Assert.True(last.IsTerminal);
    }

    [Fact]
    public async Task The_same_topic_subscribed_twice_feeds_both_callbacks_and_is_left_on_the_hub_only_when_both_are_disposed()
    {
        await using var client = new RealtimeHubClient(ClientTestKit.Options(RealtimeHubProtocol.MessagePack, cluster.NodeA));
        var topic = Topic.Batch(Unique.Id());
        var first = new Received<BatchProgressData>();
        var second = new Received<BatchProgressData>();
        var one = await client.SubscribeAsync<BatchProgressData>(topic, first.Handle);
        var two = await client.SubscribeAsync<BatchProgressData>(topic, second.Handle);
        Assert.True(NodeAListensTo(topic));

        var e1 = await cluster.NodeB.PublishOkAsync(topic.ToString(), EventTypes.BatchProgress, SampleData.BatchProgress(1));
        await first.WaitForCountAsync(1);
        await second.WaitForCountAsync(1);

        await one.DisposeAsync();
        var e2 = await cluster.NodeB.PublishOkAsync(topic.ToString(), EventTypes.BatchProgress, SampleData.BatchProgress(2));
        await second.WaitForCountAsync(2);
        Assert.True(NodeAListensTo(topic));

        // A third subscriber joining a topic already followed starts from its current state, the last event.
        var third = new Received<BatchProgressData>();
        await using (await client.SubscribeAsync<BatchProgressData>(topic, third.Handle))
        {
            await third.WaitForCountAsync(1);
        }

        await two.DisposeAsync();
        await Eventually.HoldsAsync(() => !NodeAListensTo(topic), "node A leaves the topic's backplane channel");

        Assert.Equal([e1], first.Ids);
        Assert.Equal([e1, e2], second.Ids);
        Assert.Equal([e2], third.Ids);
        Assert.Equal(e2, two.LastEventId);
    }

    /// <summary>Whether node A's backplane has a Redis subscription for the topic's group, that is, a local member.</summary>
    private bool NodeAListensTo(Topic topic)
    {
        using var redis = ConnectionMultiplexer.Connect(cluster.Redis.ConnectionString);
        var channels = (RedisResult[])redis.GetDatabase().Execute("PUBSUB", "CHANNELS", $"*:group:{topic}")!;
        return channels.Length > 0;
    }
}
