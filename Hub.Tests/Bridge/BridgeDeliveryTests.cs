using System.Text.Json;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Bridge;

/// <summary>
/// What the products' workers PUBLISH on their own channels reaches hub and SSE subscribers as events
/// of the matching topic, through the same path as an HTTP publish, exactly once across three nodes.
/// </summary>
public abstract class BridgeDeliveryScenarios(BridgeCluster cluster)
{
    private BridgeNodes Nodes => cluster.Nodes;

    [Theory]
    [InlineData("progress")]
    [InlineData("stage")]
    [InlineData("completion")]
    [InlineData("error")]
    public async Task A_merchant_channel_message_reaches_hub_and_sse_subscribers_typed_by_the_channel_suffix(string suffix)
    {
        var merchant = Unique.Id("m");
        await using var hub = await HubClient.ConnectAsync(Nodes.Nodes[0]);
        await hub.SubscribeAsync($"merchant:{merchant}");
        await using var sse = await SseTestClient.OpenAsync(Nodes.Nodes[1], $"/api/realtime/events/{merchant}");
        Assert.Contains("connected", (await sse.NextAsync()).Data, StringComparison.Ordinal);

        await Nodes.PublishAsync($"merchant:{merchant}:{suffix}", WorkerPayloads.Merchant(suffix));

        var envelope = await NextEventAsync(hub);
        Assert.Equal((suffix, $"merchant:{merchant}"), (envelope.Type, envelope.Topic));
        Assert.Equal("c8f2k1", envelope.Data.GetProperty("poId").GetString());
        var frame = await sse.NextAsync();
        Assert.Equal((suffix, envelope.Id), (frame.EventType, frame.EventId));
        Assert.Equal("wf_1", JsonDocument.Parse(frame.Data).RootElement.GetProperty("workflowId").GetString());
    }

    [Fact]
    public async Task An_enrichment_channel_message_reaches_bom_subscribers_typed_by_its_event_type()
    {
        var bom = Unique.Id("bom");
        await using var hub = await HubClient.ConnectAsync(Nodes.Nodes[2]);
        await hub.SubscribeAsync($"bom:{bom}");
        await using var sse = await SseTestClient.OpenAsync(Nodes.Nodes[0], $"/api/enrichment/stream/{bom}");
        Assert.Equal("connected", (await sse.NextAsync()).EventType);

        await Nodes.PublishAsync($"enrichment:{bom}", WorkerPayloads.Enrichment(bom, EventTypes.EnrichmentStarted, 0));

        var envelope = await NextEventAsync(hub);
        Assert.Equal((EventTypes.EnrichmentStarted, $"bom:{bom}"), (envelope.Type, envelope.Topic));
        Assert.Equal(bom, envelope.Data.GetProperty("bom_id").GetString());
        var frame = await sse.NextAsync();
        Assert.Equal((EventTypes.EnrichmentStarted, envelope.Id), (frame.EventType, frame.EventId));
        Assert.Equal("org-1", JsonDocument.Parse(frame.Data).RootElement.GetProperty("organization_id").GetString());
    }

    [Fact]
    public async Task A_batch_progress_channel_message_reaches_batch_subscribers_as_batch_progress()
    {
        var batch = Unique.Id("b");
        await using var hub = await HubClient.ConnectAsync(Nodes.Nodes[1]);
        await hub.SubscribeAsync($"batch:{batch}");
        await using var sse = await SseTestClient.OpenAsync(Nodes.Nodes[2], $"/api/batches/{batch}/stream");

        await Nodes.PublishAsync($"batch:{batch}:progress", WorkerPayloads.Batch(51.5));

        var envelope = await NextEventAsync(hub);
        Assert.Equal((EventTypes.BatchProgress, $"batch:{batch}"), (envelope.Type, envelope.Topic));
        Assert.Equal(51.5, envelope.Data.GetProperty("progress_percentage").GetDouble());
        var frame = await sse.NextAsync();
        Assert.Equal(("message", envelope.Id), (frame.EventType, frame.EventId));
        Assert.Equal(51, JsonDocument.Parse(frame.Data).RootElement.GetProperty("sheets_processed").GetInt64());
    }

    [Theory]
    [InlineData("merchant")]
    [InlineData("enrichment")]
    [InlineData("batch")]
    public async Task Bridged_progress_without_an_eta_gets_one_filled_in(string family)
    {
        var id = Unique.Id();
        var (channel, topic, first, second, eta) = family switch
        {
            "merchant" => ($"merchant:{id}:progress", $"merchant:{id}", WorkerPayloads.Merchant("progress", 10), WorkerPayloads.Merchant("progress", 40),
                (Func<JsonElement, JsonElement>)(d => d.GetProperty("etaSeconds"))),
            "enrichment" => ($"enrichment:{id}", $"bom:{id}", WorkerPayloads.Enrichment(id, percent: 10), WorkerPayloads.Enrichment(id, percent: 40),
                d => d.GetProperty("state").GetProperty("estimated_time_remaining")),
            _ => ($"batch:{id}:progress", $"batch:{id}", WorkerPayloads.Batch(10), WorkerPayloads.Batch(40),
                (Func<JsonElement, JsonElement>)(d => d.GetProperty("eta_seconds"))),
        };
        await using var hub = await HubClient.ConnectAsync(Nodes.Nodes[0]);
        await hub.SubscribeAsync(topic);

        await Nodes.PublishAsync(channel, first);
        await Nodes.PublishAsync(channel, second);

        await Eventually.HoldsAsync(() => hub.Events.Count == 2, "both progress events arrive");
        // The worker sent none; the hub's estimate (0 s here, the jobs move fast) is written in.
        Assert.True(eta(hub.Events[1].Data).GetDouble() >= 0, $"no ETA in {hub.Events[1].Data}");
    }

    [Fact]
    public async Task With_three_nodes_each_message_is_stored_once_and_delivered_once_to_every_subscriber_in_channel_order()
    {
        var batch = Unique.Id("b");
        var topic = $"batch:{batch}";
        var accepted = Nodes.Nodes.Select(n => new CounterRecorder(n, "realtimehub.events.accepted", "family")).ToList();
        var clients = new List<HubClient>();
        try
        {
            foreach (var node in Nodes.Nodes)
            {
                var client = await HubClient.ConnectAsync(node);
                clients.Add(client);
                await client.SubscribeAsync(topic);
            }

            await using var sse = await SseTestClient.OpenAsync(Nodes.Nodes[1], $"/api/sse?topic={topic}");
            double[] percents = [5, 10, 20, 30, 40, 50, 60, 70, 80, 90];
            foreach (var percent in percents)
            {
                await Nodes.PublishAsync($"{topic}:progress", WorkerPayloads.Batch(percent));
            }

            await Nodes.PublishAsync($"{topic}:progress", WorkerPayloads.Batch(100, "completed"));
            foreach (var client in clients)
            {
                await Eventually.HoldsAsync(() => client.Events.Any(e => IsCompleted(e.Data)), "the last message reaches every subscriber");
            }

            double[] expected = [.. percents, 100];
            foreach (var client in clients)
            {
                Assert.Equal(expected, client.Events.Select(e => e.Data.GetProperty("progress_percentage").GetDouble()));
                Assert.Equal(expected.Length, client.Events.Select(e => e.Id).Distinct().Count());
            }

            var frames = await sse.TakeAsync(expected.Length);
            Assert.Equal(clients[0].Events.Select(e => e.Id), frames.Select(f => JsonDocument.Parse(f.Data).RootElement.GetProperty("id").GetString()));
            Assert.Equal(clients[0].Events.Select(e => e.Id), (await Nodes.Nodes[2].ReadAllAsync(topic)).Select(e => e.Id));
            Assert.Equal(expected.Length, accepted.Sum(a => a["batch"]));
        }
        finally
        {
            accepted.ForEach(a => a.Dispose());
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Two_identical_messages_in_a_row_are_two_events()
    {
        var batch = Unique.Id("b");
        await using var hub = await HubClient.ConnectAsync(Nodes.Nodes[2]);
        await hub.SubscribeAsync($"batch:{batch}");
        var same = WorkerPayloads.Batch(25);

        await Nodes.PublishAsync($"batch:{batch}:progress", same);
        await Nodes.PublishAsync($"batch:{batch}:progress", same);
        await Nodes.PublishAsync($"batch:{batch}:progress", WorkerPayloads.Batch(100, "completed"));

        await Eventually.HoldsAsync(() => hub.Events.Any(e => IsCompleted(e.Data)), "the last message arrives");
        Assert.Equal([25.0, 25.0, 100.0], hub.Events.Select(e => e.Data.GetProperty("progress_percentage").GetDouble()));
        Assert.Equal(3, hub.Events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(3, (await Nodes.Nodes[0].ReadAllAsync($"batch:{batch}")).Count);
    }

    [Fact]
    public async Task A_merchants_four_channels_arrive_in_the_order_the_worker_published_them()
    {
        var merchant = Unique.Id("m");
        await using var hub = await HubClient.ConnectAsync(Nodes.Nodes[0]);
        await hub.SubscribeAsync($"merchant:{merchant}");
        string[] order = ["stage", "progress", "progress", "completion", "stage", "error"];

        var percent = 0;
        foreach (var suffix in order)
        {
            await Nodes.PublishAsync($"merchant:{merchant}:{suffix}", WorkerPayloads.Merchant(suffix, percent += 10));
        }

        await Eventually.HoldsAsync(() => hub.Events.Count == order.Length, "every message arrives");
        Assert.Equal(order, hub.Events.Select(e => e.Type));
    }

    private static bool IsCompleted(JsonElement data) => data.GetProperty("stage").GetString() == "completed";

    private static async Task<EventEnvelope> NextEventAsync(HubClient hub)
    {
        await Eventually.HoldsAsync(() => hub.Events.Count > 0, "the bridged event reaches the hub client");
        return Assert.Single(hub.Events);
    }
}

[Collection(BridgeClusterDefinition.Name)]
public sealed class BridgeDeliveryTests(RedisBridgeCluster cluster) : BridgeDeliveryScenarios(cluster);

[Collection(SentinelBridgeClusterDefinition.Name)]
public sealed class SentinelBridgeDeliveryTests(SentinelBridgeCluster cluster) : BridgeDeliveryScenarios(cluster);

[Collection(ClusterBridgeClusterDefinition.Name)]
public sealed class ClusterBridgeDeliveryTests(ClusterBridgeCluster cluster) : BridgeDeliveryScenarios(cluster);
