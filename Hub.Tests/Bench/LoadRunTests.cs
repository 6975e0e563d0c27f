using RealtimeHub.Bench;
using RealtimeHub.Bench.Load;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Bench;

/// <summary>
/// Short real runs of the load generator against in-process nodes: a hub that loses nothing must be
/// reported as losing nothing, with every expected event counted once, and a reconnect storm resumed
/// from the clients' last ids must leave nothing lost either.
/// </summary>
public sealed class LoadRunTests
{
    [Fact]
    public async Task A_short_run_on_one_node_reports_every_event_once_and_in_order()
    {
        await using var node = await HubNode.StartAsync(null);

        var outcome = await DriveAsync(Options(), [node.BaseAddress]);

        AssertClean(outcome);
        Assert.Null(outcome.Storm);
        Assert.Null(outcome.Stalled);
    }

    [Fact]
    public async Task A_reconnect_storm_across_two_nodes_sharing_redis_resumes_without_loss()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = await HubNode.StartAsync(redis.ConnectionString);
        await using var second = await HubNode.StartAsync(redis.ConnectionString);

        var outcome = await DriveAsync(
            Options() with { Duration = TimeSpan.FromSeconds(4), StormAt = TimeSpan.FromSeconds(1.5) }, [first.BaseAddress, second.BaseAddress]);

        AssertClean(outcome);
        var storm = Assert.IsType<StormOutcome>(outcome.Storm);
        Assert.Equal(40, storm.Dropped);
        Assert.Equal(40, storm.Reconnected);
        Assert.Equal(40, storm.Recovered);
    }

    [Fact]
    public async Task Stalled_subscribers_are_left_out_of_the_account_and_reported_by_transport()
    {
        await using var node = await HubNode.StartAsync(null);

        var outcome = await DriveAsync(Options() with { Stalled = 3 }, [node.BaseAddress]);

        AssertClean(outcome);
        Assert.Equal(40, outcome.Clients!.Clients.Count);

        // Ten healthy subscribers per topic: a stalled one counted too would push this past the bound.
        Assert.True(outcome.Summary.Expected <= outcome.Published * 10, $"{outcome.Summary.Expected} expected of {outcome.Published} published");
        var stalled = Assert.IsType<StalledOutcome>(outcome.Stalled);
        Assert.Equal(3, stalled.Asked);
        Assert.Equal(new StalledTransport(2, 2, stalled.Sse.ClosedByServer, stalled.Sse.DrainedBytes), stalled.Sse);
        Assert.Equal(new StalledTransport(1, 1, stalled.WebSocket.ClosedByServer, stalled.WebSocket.DrainedBytes), stalled.WebSocket);
        Assert.Empty(stalled.Errors);
    }

    private static BenchOptions Options() => new()
    {
        Scenario = "load",
        Connections = 20,
        WebSockets = 20,
        Topics = 4,
        Sources = 2,
        Rate = 100,
        Lanes = 2,
        Duration = TimeSpan.FromSeconds(2),
        Drain = TimeSpan.FromSeconds(15),
        TopicPrefix = Unique.Id("bench"),
    };

    private static async Task<LoadOutcome> DriveAsync(BenchOptions options, IReadOnlyList<Uri> nodes)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var outcome = await LoadRun.DriveAsync(options, nodes, null, timeout.Token);
        await outcome.Clients!.DisposeAsync();
        return outcome;
    }

    private static void AssertClean(LoadOutcome outcome)
    {
        Assert.Equal(40, outcome.Connected);
        Assert.Empty(outcome.Errors);
        Assert.Equal(0, outcome.PublishFailedEvents);
        Assert.True(outcome.Published >= 150, $"only {outcome.Published} events were published");
        Assert.True(outcome.CaughtUp);
        var summary = outcome.Summary;
        Assert.Equal(0, summary.Lost);
        Assert.Equal(0, summary.Duplicates);
        Assert.Equal(0, summary.OutOfOrder);

        // Each subscriber had to see its topic's events from its subscription on: 10 subscribers per topic.
        Assert.True(summary.Expected >= (outcome.Published - 4) * 10, $"{summary.Expected} expected of {outcome.Published} published");
        Assert.True(summary.Delivered >= summary.Expected);
        Assert.Equal(summary.Delivered, outcome.Summary.Received);
        Assert.Equal(summary.Expected, outcome.LatencyCount);
    }
}
