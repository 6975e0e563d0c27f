using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Delivery;

/// <summary>
/// A gap that neither the backplane nor the history can fill any more (the missing event was trimmed
/// before the nodes could read it) is announced to every subscriber, never skipped in silence.
/// </summary>
public sealed class TrimmedGapTests : IAsyncLifetime
{
    private SeamNodes _nodes = null!;

    public async Task InitializeAsync() =>
        _nodes = await SeamNodes.StartAsync(new Dictionary<string, string?> { ["History:MaxEventsPerTopic"] = "2", ["Delivery:GapWait"] = "00:00:03" });

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task An_event_trimmed_before_it_could_be_delivered_is_announced_as_a_history_reset_on_every_node()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        var clients = new List<HubClient>();
        var streams = new List<SseTestClient>();
        try
        {
            foreach (var node in (HubNode[])[_nodes.Publisher, _nodes.Other])
            {
                var client = await HubClient.ConnectAsync(node);
                await client.SubscribeAsync(topic);
                clients.Add(client);
                streams.Add(await SseTestClient.OpenAsync(node, $"/api/sse?topic={topic}"));
            }

            // Event 2 never reaches the backplane, and the history keeps only two events: by the time the
            // nodes read it (3 s after event 3 showed them the gap), events 3 and 4 have pushed it out.
            _nodes.Seam.Refuse(topic, seq: 2, times: int.MaxValue);
            using var otherMetrics = new NodeMetrics(_nodes.Other);
            var ids = await _nodes.Publisher.PublishBatchProgressAsync(topic, 4);

            foreach (var client in clients)
            {
                await Eventually.HoldsAsync(() => client.EventCount >= 3, "the three deliverable events reach the client");
                Assert.Equal([ids[0], ids[2], ids[3]], client.Events.Select(e => e.Id));
                var reset = Assert.Single(client.Resets);
                Assert.Equal(topic, reset.Topic);
                Assert.Equal(ids[0], reset.RequestedId);
                Assert.Equal(ids[2], reset.OldestRetainedId);
            }

            foreach (var stream in streams)
            {
                var frames = await stream.TakeAsync(4);
                Assert.Equal(["batch.progress", "history.reset", "batch.progress", "batch.progress"], frames.Select(f => f.EventType));
                Assert.Contains($"\"oldestRetainedId\":\"{ids[2]}\"", frames[1].Data, StringComparison.Ordinal);
            }

            Assert.Equal(1, otherMetrics.Sum("realtimehub.gaps", ("outcome", "lost")));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }
}
