using RealtimeHub.Server.Bridge;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Bridge;

/// <summary>
/// Nodes die, stall or lose their store while the workers keep publishing: nothing published after a
/// kill is lost, nothing is delivered twice, and live delivery keeps the channel's order. Each test
/// has its own redis-server and three nodes, since it harms them.
/// </summary>
public sealed class BridgeFailoverTests : IAsyncLifetime
{
    private readonly FaultyHistory[] _histories = new FaultyHistory[BridgeNodes.NodeCount];
    private BridgeNodes _nodes = null!;

    public async Task InitializeAsync() => _nodes = await BridgeNodes.StartAsync(new RedisBackend(), i => FaultyHistory.On(_histories, i));

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task After_any_one_node_is_killed_every_message_published_afterwards_arrives_once(int killed)
    {
        var topic = $"batch:{Unique.Id("b")}";
        var survivors = _nodes.Nodes.Where((_, i) => i != killed).ToList();
        await using var first = await SubscribedClientAsync(survivors[0], topic);
        await using var second = await SubscribedClientAsync(survivors[1], topic);

        await _nodes.KillAsync(_nodes.Nodes[killed]);
        await PublishProgressAsync(topic, 10, 20, 30, 40, 50);

        await AssertArrivedOnceInOrderAsync(topic, [10, 20, 30, 40, 50, 100], first, second);
    }

    [Fact]
    public async Task Killing_the_node_whose_append_won_loses_nothing_published_afterwards()
    {
        var topic = $"batch:{Unique.Id("b")}";
        var accepted = _nodes.Nodes.Select(n => new CounterRecorder(n, "realtimehub.events.accepted", "family")).ToList();
        var clients = new List<HubClient>();
        foreach (var node in _nodes.Nodes)
        {
            clients.Add(await SubscribedClientAsync(node, topic));
        }

        try
        {
            await _nodes.PublishAsync($"{topic}:progress", WorkerPayloads.Batch(5));
            await Eventually.HoldsAsync(() => accepted.Sum(a => a.Total) == 1, "one node stores the first message");
            var winner = accepted.FindIndex(a => a.Total == 1);

            await _nodes.KillAsync(_nodes.Nodes[winner]);
            await PublishProgressAsync(topic, 10, 20, 30);

            var survivors = clients.Where((_, i) => i != winner).ToArray();
            await AssertArrivedOnceInOrderAsync(topic, [5, 10, 20, 30, 100], survivors);
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
    public async Task A_node_that_stalls_between_storing_and_handing_on_does_not_reorder_live_delivery()
    {
        // Node 0 wins every append and then stalls before its hand-off; the others are free to go on.
        _histories[0].PauseAfterStoring = TimeSpan.FromMilliseconds(80);
        _histories[1].PauseBeforeAppending = _histories[2].PauseBeforeAppending = TimeSpan.FromMilliseconds(20);
        var topic = $"batch:{Unique.Id("b")}";
        await using var first = await SubscribedClientAsync(_nodes.Nodes[1], topic);
        await using var second = await SubscribedClientAsync(_nodes.Nodes[2], topic);
        await using var sse = await SseTestClient.OpenAsync(_nodes.Nodes[1], $"/api/batches/{topic["batch:".Length..]}/stream");
        double[] percents = [10, 20, 30, 40, 50, 60, 70, 80];

        // Published back to back, so the next message is waiting whenever node 0 stalls.
        await PublishProgressAsync(topic, percents);

        double[] expected = [.. percents, 100];
        await AssertArrivedOnceInOrderAsync(topic, expected, first, second);
        var frames = await sse.TakeAsync(expected.Length);
        Assert.Equal(first.Events.Select(e => e.Id), frames.Select(f => f.EventId));
    }

    [Fact]
    public async Task A_node_whose_store_fails_leaves_the_messages_to_the_others_and_carries_on_alone_once_it_answers()
    {
        var topic = $"batch:{Unique.Id("b")}";
        await using var client = await SubscribedClientAsync(_nodes.Nodes[0], topic);
        _histories[0].Unavailable = true;

        await _nodes.PublishAsync($"{topic}:progress", WorkerPayloads.Batch(10));
        await _nodes.PublishAsync($"{topic}:progress", WorkerPayloads.Batch(20));
        await Eventually.HoldsAsync(() => client.Events.Count == 2, "the other nodes store and deliver both");
        await Eventually.HoldsAsync(() => _nodes.Logs[0].Of<BridgeIngest>(4).Count == 1, "node 0 logs the outage");

        _histories[0].Unavailable = false;
        await _nodes.KillAsync(_nodes.Nodes[2]);
        await _nodes.KillAsync(_nodes.Nodes[1]);
        await PublishProgressAsync(topic, 30);

        await AssertArrivedOnceInOrderAsync(topic, [10, 20, 30, 100], client);
        Assert.Single(_nodes.Logs[0].Of<BridgeIngest>(4));
    }

    private static async Task<HubClient> SubscribedClientAsync(HubNode node, string topic)
    {
        var client = await HubClient.ConnectAsync(node);
        await client.SubscribeAsync(topic);
        return client;
    }

    /// <summary>Publishes progress reports, then a <c>completed</c> report that ends the sequence.</summary>
    private async Task PublishProgressAsync(string topic, params double[] percents)
    {
        foreach (var percent in percents)
        {
            await _nodes.PublishAsync($"{topic}:progress", WorkerPayloads.Batch(percent));
        }

        await _nodes.PublishAsync($"{topic}:progress", WorkerPayloads.Batch(100, "completed"));
    }

    /// <summary>Waits for the <c>completed</c> report, then checks each client got every report once, in order, as stored.</summary>
    private async Task AssertArrivedOnceInOrderAsync(string topic, double[] expected, params HubClient[] clients)
    {
        foreach (var client in clients)
        {
            await Eventually.HoldsAsync(
                () => client.Events.Any(e => e.Data.GetProperty("stage").GetString() == "completed"), "the completed report arrives");
        }

        var stored = await _nodes.Nodes[0].ReadAllAsync(topic);
        Assert.Equal(expected, stored.Select(e => e.Data.GetProperty("progress_percentage").GetDouble()));
        foreach (var client in clients)
        {
            Assert.Equal(stored.Select(e => e.Id), client.Events.Select(e => e.Id));
        }
    }
}
