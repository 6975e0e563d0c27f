using RealtimeHub.Server.Bridge;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Bridge;

/// <summary>
/// Malformed messages on the products' channels are counted by reason on every node, logged once per
/// kind, never reach clients, and do not stop the bridge.
/// </summary>
[Collection(BridgeClusterDefinition.Name)]
public sealed class BridgeRejectionTests(RedisBridgeCluster cluster)
{
    private const string Rejected = "realtimehub.bridge.rejected";

    private BridgeNodes Nodes => cluster.Nodes;

    public static TheoryData<string, string, string, string> Malformed => new()
    {
        { "not JSON", "batch:{0}:progress", "stage: processing, 50 %", "not_json" },
        { "a string where a number belongs", "batch:{0}:progress", """{"stage":"processing_sheets","progress_percentage":"fifty"}""", "invalid" },
        { "a count that is not a whole number", "merchant:{0}:progress", """{"poId":"p","progress":10,"itemsProcessed":2.5}""", "invalid" },
        { "a percentage over 100", "batch:{0}:progress", """{"stage":"processing_sheets","progress_percentage":150}""", "invalid" },
        { "a negative percentage", "enrichment:{0}", """{"event_type":"enrichment.progress","state":{"percent_complete":-1}}""", "invalid" },
        { "an enrichment message without event_type", "enrichment:{0}", """{"bom_id":"x","state":{"percent_complete":10}}""", "invalid" },
        { "an unknown event_type", "enrichment:{0}", """{"event_type":"enrichment.paused"}""", "invalid" },
        { "a JSON array", "merchant:{0}:stage", """[{"stage":"ai_parsing"}]""", "invalid" },
        { "an unknown merchant suffix", "merchant:{0}:eta", """{"poId":"p"}""", "unknown_channel" },
        { "a merchant channel without a suffix", "merchant:{0}", """{"poId":"p"}""", "unknown_channel" },
        { "a batch channel other than progress", "batch:{0}:progress:log", WorkerPayloads.Batch(10), "unknown_channel" },
        { "an id the hub refuses", "batch:{0} x:progress", WorkerPayloads.Batch(10), "unknown_channel" },
        { "an enrichment channel with a second part", "enrichment:{0}:extra", WorkerPayloads.Batch(10), "unknown_channel" },
        // Cut off, so a bridge that parsed it before measuring would call it not JSON.
        { "a 1 MB payload", "batch:{0}:progress", """{"stage":"processing_sheets","message":" """ + new string('x', 1024 * 1024), "too_large" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_message_is_counted_on_every_node_never_delivered_and_the_bridge_goes_on(
        string what, string channel, string payload, string reason)
    {
        var batch = Unique.Id("b");
        var counters = Nodes.Nodes.Select(n => new CounterRecorder(n, Rejected, "reason")).ToList();
        try
        {
            var topics = new[] { $"batch:{batch}", $"merchant:{batch}", $"bom:{batch}" };
            await using var hub = await HubClient.ConnectAsync(Nodes.Nodes[0]);
            foreach (var topic in topics)
            {
                await hub.SubscribeAsync(topic);
            }

            await Nodes.PublishAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, channel, batch), payload);
            await Nodes.PublishAsync($"batch:{batch}:progress", WorkerPayloads.Batch(100, "completed"));

            await Eventually.HoldsAsync(() => hub.Events.Count > 0, "the valid message after it arrives");
            foreach (var counter in counters)
            {
                await Eventually.HoldsAsync(() => counter[reason] == 1, $"every node counts {what} as {reason}");
                Assert.Equal(1, counter.Total);
            }

            var only = Assert.Single(hub.Events);
            Assert.Equal("completed", only.Data.GetProperty("stage").GetString());
            foreach (var topic in topics)
            {
                Assert.Equal(topic == $"batch:{batch}" ? 1 : 0, (await Nodes.Nodes[1].ReadAllAsync(topic)).Count);
            }
        }
        finally
        {
            counters.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Each_kind_of_rejection_is_logged_once_per_node_however_often_it_recurs()
    {
        var batch = Unique.Id("b");
        using var counter = new CounterRecorder(Nodes.Nodes[2], Rejected, "reason");
        await using var hub = await HubClient.ConnectAsync(Nodes.Nodes[2]);
        await hub.SubscribeAsync($"batch:{batch}");

        for (var i = 0; i < 3; i++)
        {
            await Nodes.PublishAsync($"batch:{batch}:progress", "{not json");
            await Nodes.PublishAsync($"batch:{batch}:bogus", WorkerPayloads.Batch(i));
        }

        await Nodes.PublishAsync($"batch:{batch}:progress", WorkerPayloads.Batch(100, "completed"));
        await Eventually.HoldsAsync(() => hub.Events.Count == 1, "the valid message arrives");
        await Eventually.HoldsAsync(() => counter["not_json"] == 3 && counter["unknown_channel"] == 3, "every rejection is counted");
        foreach (var logs in Nodes.Logs)
        {
            var rejections = logs.Of<BridgeIngest>(3);
            Assert.Single(rejections, e => e.Message.Contains("as not_json", StringComparison.Ordinal));
            Assert.Single(rejections, e => e.Message.Contains("as unknown_channel", StringComparison.Ordinal));
        }
    }
}
