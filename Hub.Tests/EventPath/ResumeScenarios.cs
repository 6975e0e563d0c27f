using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.EventPath;

/// <summary>
/// What <c>Subscribe</c> replays and in which order (docs/contract.md, Events and SignalR hub; docs/architecture.md, Gapless resume),
/// run against the embedded default and against real Redis.
/// </summary>
public abstract class ResumeScenarios(ScenarioNodes nodes)
{
    private HubNode Node => nodes.Node;

    [Fact]
    public async Task Subscribe_without_a_last_id_returns_only_the_latest_event()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        var ids = await Node.PublishBatchProgressAsync(topic, 3, firstPercent: 50);

        var replayed = await Node.ReadAsync(topic);

        var latest = Assert.Single(replayed);
        Assert.Equal(ids[^1], latest.Id);
        Assert.Equal(topic, latest.Topic);
        Assert.Equal(EventTypes.BatchProgress, latest.Type);
        Assert.Equal(52, latest.Data.GetProperty("progress_percentage").GetDouble());
    }

    [Fact]
    public async Task Subscribe_without_a_last_id_to_a_topic_without_events_returns_nothing()
    {
        Assert.Empty(await Node.ReadAsync(Topic.Merchant(Unique.Id()).ToString()));
    }

    [Theory]
    [InlineData(HubProtocol.Json)]
    [InlineData(HubProtocol.MessagePack)]
    public async Task Subscribe_with_a_last_id_returns_exactly_the_missed_events_in_order(HubProtocol protocol)
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        var ids = await Node.PublishBatchProgressAsync(topic, 6, firstPercent: 10);
        await using var client = await HubClient.ConnectAsync(Node, protocol);

        var missed = await client.SubscribeAsync(topic, ids[1]);

        Assert.Equal(ids.Skip(2), missed.Select(e => e.Id));
        Assert.Equal([12.0, 13, 14, 15], missed.Select(e => e.Data.GetProperty("progress_percentage").GetDouble()));
        Assert.All(missed, e => Assert.Equal(topic, e.Topic));
        Assert.Empty(client.Resets);
        Assert.Empty(await client.SubscribeAsync(topic, ids[^1]));
    }

    [Fact]
    public async Task Ids_strictly_increase_within_a_topic()
    {
        var topic = Topic.Bom(Unique.Id()).ToString();
        var ids = new List<HubEventId>();
        for (var i = 0; i < 20; i++)
        {
            var id = await Node.PublishOkAsync(topic, EventTypes.EnrichmentProgress, SampleData.BomProgress("b", i, runId: $"run-{i}"));
            ids.Add(HubEventId.Parse(id));
        }

        Assert.All(ids.Zip(ids.Skip(1)), pair => Assert.True(pair.First < pair.Second, $"{pair.First} is not before {pair.Second}"));
    }

    [Fact]
    public async Task A_live_subscriber_gets_concurrently_published_events_once_each_in_id_order()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        await using var client = await HubClient.ConnectAsync(Node);
        await client.SubscribeAsync(topic);

        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(i))));
        await Eventually.HoldsAsync(() => client.Events.Count >= ids.Length, "every event reaches the subscriber");

        var expected = ids.OrderBy(HubEventId.Parse).ToList();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(expected, client.Events.Select(e => e.Id));
        Assert.Equal(expected, (await Node.ReadAllAsync(topic)).Select(e => e.Id));
    }

    [Fact]
    public async Task A_resume_from_before_the_retained_history_returns_what_is_retained_after_a_history_reset()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        var ids = await nodes.BoundedNode.PublishBatchProgressAsync(topic, ScenarioNodes.HistoryBound + 3);
        await using var client = await HubClient.ConnectAsync(nodes.BoundedNode);

        var replayed = await client.SubscribeAsync(topic, ids[0]);

        var reset = await ResetSentBeforeSubscribeReturnedAsync(client);
        Assert.Equal(topic, reset.Topic);
        Assert.Equal(ids[0], reset.RequestedId);
        Assert.Equal(ids[3], reset.OldestRetainedId);
        Assert.Equal(ids.Skip(3), replayed.Select(e => e.Id));
    }

    [Fact]
    public async Task A_resume_from_the_beginning_replays_every_event_and_reports_no_reset_even_while_the_topic_is_still_empty()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        var beginning = HubEventId.Beginning.ToString();
        await using var client = await HubClient.ConnectAsync(Node);

        // A subscription that began on an empty topic resumes from 0-0: nothing was lost while nothing was published.
        Assert.Empty(await client.SubscribeAsync(topic, beginning));
        var ids = await Node.PublishBatchProgressAsync(topic, 3);
        await using var resumed = await HubClient.ConnectAsync(Node);
        var replayed = await resumed.SubscribeAsync(topic, beginning);

        Assert.Equal(ids, replayed.Select(e => e.Id));
        Assert.DoesNotContain(nameof(IProgressClient.OnHistoryReset), client.Arrivals);
        Assert.DoesNotContain(nameof(IProgressClient.OnHistoryReset), resumed.Arrivals);
    }

    [Fact]
    public async Task Events_past_the_retention_are_dropped_and_a_resume_from_before_them_reports_a_reset()
    {
        var clock = new ShiftedClock();
        await using var node = await nodes.StartNodeAsync(new Dictionary<string, string?> { ["History:Retention"] = "00:01:00" }, clock);
        var topic = Topic.Batch(Unique.Id()).ToString();
        var ids = await node.PublishBatchProgressAsync(topic, 3);
        clock.Advance(TimeSpan.FromMinutes(2));
        await using var client = await HubClient.ConnectAsync(node);

        var replayed = await client.SubscribeAsync(topic, ids[0]);

        Assert.Empty(replayed);
        var reset = await ResetSentBeforeSubscribeReturnedAsync(client);
        Assert.Equal(ids[0], reset.RequestedId);
        Assert.Null(reset.OldestRetainedId);
        Assert.Empty(await node.ReadAsync(topic));
    }

    [Fact]
    public async Task After_Unsubscribe_a_client_gets_no_more_live_events_of_that_topic()
    {
        var left = Topic.Bom(Unique.Id()).ToString();
        var kept = Topic.Bom(Unique.Id()).ToString();
        await using var client = await HubClient.ConnectAsync(Node);
        await client.SubscribeAsync(left);
        await client.SubscribeAsync(kept);

        await client.Connection.InvokeAsync(nameof(IProgressHub.Unsubscribe), left);
        await Node.PublishOkAsync(left, EventTypes.EnrichmentProgress, SampleData.BomProgress("b", 10));
        var marker = await Node.PublishOkAsync(kept, EventTypes.EnrichmentProgress, SampleData.BomProgress("b", 20));
        await client.WaitForEventAsync(marker);

        Assert.Equal([kept], client.Events.Select(e => e.Topic));
    }

    [Fact]
    public async Task A_resume_from_the_newest_trimmed_id_loses_nothing_and_reports_no_reset()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        var ids = await nodes.BoundedNode.PublishBatchProgressAsync(topic, ScenarioNodes.HistoryBound + 3);
        await using var client = await HubClient.ConnectAsync(nodes.BoundedNode);

        var replayed = await client.SubscribeAsync(topic, ids[2]);

        Assert.Equal(ids.Skip(3), replayed.Select(e => e.Id));
        Assert.Empty(client.Resets);
    }

    /// <summary>
    /// The one reset the client got, checking it came off the wire before Subscribe's completion so the
    /// client knows the replay has a gap before it handles the replay.
    /// </summary>
    private static async Task<HistoryReset> ResetSentBeforeSubscribeReturnedAsync(HubClient client)
    {
        var arrivals = client.Arrivals.ToList();
        var resetAt = arrivals.IndexOf(nameof(IProgressClient.OnHistoryReset));
        Assert.InRange(resetAt, 0, arrivals.IndexOf(RecordingProtocol.Completion) - 1);
        await Eventually.HoldsAsync(() => client.Resets.Count > 0, "the client's OnHistoryReset handler runs");
        return Assert.Single(client.Resets);
    }
}

[Collection(EmbeddedNodesDefinition.Name)]
public sealed class EmbeddedResumeScenarios(EmbeddedNodes nodes) : ResumeScenarios(nodes);

[Collection(RedisNodesDefinition.Name)]
public sealed class RedisResumeScenarios(RedisNodes nodes) : ResumeScenarios(nodes);

[Collection(SentinelNodesDefinition.Name)]
public sealed class SentinelResumeScenarios(SentinelNodes nodes) : ResumeScenarios(nodes);

[Collection(ClusterNodesDefinition.Name)]
public sealed class ClusterResumeScenarios(ClusterNodes nodes) : ResumeScenarios(nodes);
