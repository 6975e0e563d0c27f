using RealtimeHub.Bench;
using RealtimeHub.Bench.Load;
using RealtimeHub.Bench.Workers;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Bench;

/// <summary>
/// The multi-process load generator at a small size (1,024 subscribers): two worker processes (Hub.Bench in its worker mode)
/// drive SSE and SignalR subscribers (JSON and MessagePack) against in-process nodes sharing a real
/// redis-server, the test's process publishes, and the workers' accounts must add up to the report. A node
/// stopped in the middle must show up as exactly its subscribers missing events.
/// </summary>
public sealed class MultiWorkerRunTests
{
    [Fact]
    public async Task Two_workers_on_three_nodes_account_for_every_event_and_their_figures_add_up_to_the_report()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await StartNodeAsync(redis);
        await using var b = await StartNodeAsync(redis);
        await using var c = await StartNodeAsync(redis);
        var options = Options(sse: 512, webSockets: 512);

        var outcome = await DriveAsync(options, [a.BaseAddress, b.BaseAddress, c.BaseAddress], publishTo: null, during: null);

        // A connect that timed out on a starved machine is tried again (and counted in the errors); every subscriber must end up in.
        Assert.True(outcome.Connected == 1024, $"{outcome.Connected} of 1024 connected: {string.Join("; ", outcome.Errors.Select(e => $"{e.Value}x {e.Key}"))}");
        Assert.Equal(0, outcome.ClosedByServer);
        Assert.Equal(0, outcome.PublishFailedEvents);
        Assert.True(outcome.CaughtUp);
        var summary = outcome.Summary;
        Assert.Equal((0L, 0L, 0L, 0L), (summary.Lost, summary.Duplicates, summary.OutOfOrder, summary.NeverSubscribed));

        // Every subscriber saw its topic from its subscription on: 256 subscribers on each of 4 topics, all subscribed before publishing.
        Assert.True(outcome.Published >= 200, $"only {outcome.Published} events were published");
        Assert.Equal(outcome.Published * 256, summary.Expected);
        Assert.Equal(summary.Expected, summary.Delivered);
        Assert.Equal(summary.Delivered, summary.Received);
        Assert.Equal(summary.Expected, outcome.LatencyCount);
        AssertWorkersAddUp(outcome);
    }

    [Fact]
    public async Task A_node_stopped_while_publishing_shows_as_its_subscribers_missing_events_in_every_worker()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var kept = await StartNodeAsync(redis);
        await using var stopped = await StartNodeAsync(redis);
        using var keptMetrics = new NodeMetrics(kept);
        var options = Options(sse: 96, webSockets: 96) with { Rate = 50, Duration = TimeSpan.FromSeconds(10), Drain = TimeSpan.FromSeconds(3) };

        // Each worker places half of each transport's subscribers on each node (48 per worker per transport: six rounds
        // of four topics), 96 in all. The publisher posts to the node that stays, from the moment every subscriber is
        // subscribed; at its first event the other node stops (within 5 s), and publishing goes on for 10 s.
        var outcome = await DriveAsync(options, [kept.BaseAddress, stopped.BaseAddress], [kept.BaseAddress], during: async () =>
        {
            await Eventually.HoldsAsync(
                () => keptMetrics.Sum("realtimehub.events.accepted") > 0, "the first event published", TimeSpan.FromMinutes(5));
            await stopped.StopAsync(TimeSpan.FromSeconds(5));
        });

        // Those on the stopped node were closed and missed what followed; the others missed nothing.
        Assert.True(outcome.Connected == 192, $"{outcome.Connected} of 192 connected: {string.Join("; ", outcome.Errors.Select(e => $"{e.Value}x {e.Key}"))}");
        Assert.Equal(0, outcome.PublishFailedEvents);
        Assert.False(outcome.CaughtUp);
        Assert.Equal(96, outcome.ClosedByServer);
        Assert.Equal(96, outcome.Summary.ClientsWithLoss);
        Assert.True(outcome.Summary.Lost > 0);
        Assert.Equal((0L, 0L), (outcome.Summary.Duplicates, outcome.Summary.OutOfOrder));
        Assert.All(outcome.Workers!, w => Assert.Equal(48, w.Summary.ClientsWithLoss));
        AssertWorkersAddUp(outcome);
    }

    private static BenchOptions Options(int sse, int webSockets) => new()
    {
        Scenario = "load",
        Workers = 2,
        Connections = sse,
        WebSockets = webSockets,
        Protocol = SignalRProtocol.Mixed,
        Topics = 4,
        Sources = 2,
        Rate = 100,
        Lanes = 2,
        Duration = TimeSpan.FromSeconds(2),
        Drain = TimeSpan.FromSeconds(60),
        ConnectTimeout = TimeSpan.FromSeconds(120),
        Settle = TimeSpan.Zero,
        TopicPrefix = Unique.Id("workers"),
    };

    private static Task<HubNode> StartNodeAsync(RedisServer redis) =>
        HubNode.StartAsync(redis.ConnectionString, HubServer.RaisedLimits.ToDictionary(l => l.Key, string? (l) => l.Value));

    /// <summary>Runs the bench's multi-worker scenario; <paramref name="during"/> runs beside it.</summary>
    private static async Task<LoadOutcome> DriveAsync(BenchOptions options, IReadOnlyList<Uri> nodes, IReadOnlyList<Uri>? publishTo, Func<Task>? during)
    {
        // Only a guard against a hang: the run ends by itself long before.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var run = MultiWorkerRun.DriveAsync(options, nodes, publishTo, [], [], guard.Token);
        if (during is not null)
        {
            await during();
        }

        return await run;
    }

    /// <summary>The report's figures are the sums of the workers' (latency samples from the merged histograms).</summary>
    private static void AssertWorkersAddUp(LoadOutcome outcome)
    {
        var workers = outcome.Workers!;
        Assert.Equal(2, workers.Count);
        Assert.All(workers, w => Assert.Equal(w.Subscribers, w.Connected));
        Assert.Equal(outcome.Connected, workers.Sum(w => w.Connected));
        Assert.Equal(outcome.Summary.Expected, workers.Sum(w => w.Summary.Expected));
        Assert.Equal(outcome.Summary.Delivered, workers.Sum(w => w.Summary.Delivered));
        Assert.Equal(outcome.Summary.Lost, workers.Sum(w => w.Summary.Lost));
        Assert.Equal(outcome.Summary.Received, workers.Sum(w => w.Summary.Received));
        Assert.Equal(outcome.ClosedByServer, workers.Sum(w => w.ClosedByServer));
        Assert.Equal(outcome.ReceivedDuringPublishing, workers.Sum(w => w.ReceivedDuringPublishing));
        Assert.Equal(outcome.LatencyCount, workers.Sum(w => w.LatencySamples));
        Assert.All(workers, w => Assert.True(w.Summary.Expected > 0, $"worker {w.Index} had nothing to see"));
    }
}
