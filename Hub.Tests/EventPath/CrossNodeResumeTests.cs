using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.EventPath;

/// <summary>A client hands back the last id it saw and gets exactly what it missed, on any node (docs/contract.md, Events).</summary>
[Collection(RedisClusterDefinition.Name)]
public sealed class CrossNodeResumeTests(RedisCluster cluster)
{
    [Fact]
    public async Task A_client_resuming_on_node_B_with_the_last_id_it_saw_on_node_A_gets_exactly_the_events_it_missed()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        string lastSeen;
        await using (var first = await HubClient.ConnectAsync(cluster.NodeA))
        {
            await first.SubscribeAsync(topic);
            var seen = await cluster.NodeB.PublishBatchProgressAsync(topic, 3);
            await first.WaitForEventAsync(seen[^1]);
            lastSeen = first.Events[^1].Id;
        }

        var missed = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            var node = i % 2 == 0 ? cluster.NodeA : cluster.NodeB;
            missed.Add(await node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(i)));
        }

        await using var second = await HubClient.ConnectAsync(cluster.NodeB, HubProtocol.MessagePack);
        var replayed = await second.SubscribeAsync(topic, lastSeen);

        Assert.Equal(missed, replayed.Select(e => e.Id));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (double)i), replayed.Select(e => e.Data.GetProperty("progress_percentage").GetDouble()));
        Assert.Empty(second.Resets);
    }

    [Fact]
    public async Task A_resume_while_events_are_still_being_published_elsewhere_leaves_no_gap_between_replay_and_live_events()
    {
        var topic = Topic.Bom(Unique.Id()).ToString();
        var lastSeen = await cluster.NodeA.PublishOkAsync(topic, EventTypes.EnrichmentStarted, new { event_type = EventTypes.EnrichmentStarted });
        var published = new List<string>();
        var publishedCount = 0;
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                var id = await cluster.NodeA.PublishOkAsync(topic, EventTypes.EnrichmentProgress, SampleData.BomProgress("b", i, runId: $"r{i}"));
                published.Add(id);
                Interlocked.Increment(ref publishedCount);
            }
        });
        await Eventually.HoldsAsync(() => Volatile.Read(ref publishedCount) >= 30, "a third of the events are published");

        await using var client = await HubClient.ConnectAsync(cluster.NodeB);
        var replayed = await client.SubscribeAsync(topic, lastSeen);
        await publishing;
        await Eventually.HoldsAsync(() => client.Events.Any(e => e.Id == published[^1]) || replayed.Any(e => e.Id == published[^1]), "the last event reaches the client");

        // The client's side of gapless resume: replay first, then live events newer than the last one delivered.
        var delivered = replayed.Select(e => HubEventId.Parse(e.Id)).ToList();
        foreach (var live in client.Events.Select(e => HubEventId.Parse(e.Id)))
        {
            if (delivered.Count == 0 || live > delivered[^1])
            {
                delivered.Add(live);
            }
        }

        Assert.NotEmpty(replayed);
        Assert.Equal(published, delivered.Select(id => id.ToString()));
    }
}
