using RealtimeHub.Bench.Accounting;

namespace RealtimeHub.Tests.Bench;

/// <summary>The load generator's accounting: a known gap, a known duplicate and a late event are each counted as what they are.</summary>
public sealed class TopicLedgerTests
{
    [Fact]
    public void A_gap_counts_as_lost_and_a_repeat_as_a_duplicate()
    {
        var ledger = new TopicLedger();
        ledger.Subscribed(baseline: 0);

        foreach (var seq in new long[] { 1, 2, 3, 5, 6, 6, 7 })
        {
            ledger.Observe(seq);
        }

        Assert.Equal(1, ledger.Lost(published: 7));
        Assert.False(ledger.HasSeen(4));
        Assert.True(ledger.HasSeen(5));
        Assert.Equal(1, ledger.Duplicates);
        Assert.Equal(0, ledger.OutOfOrder);
        Assert.Equal(6, ledger.Delivered);
        Assert.Equal(7, ledger.Expected(published: 7));
    }

    [Fact]
    public void Events_never_received_at_the_end_are_lost_too()
    {
        var ledger = new TopicLedger();
        ledger.Subscribed(baseline: 0);
        ledger.Observe(1);
        ledger.Observe(2);

        Assert.Equal(3, ledger.Lost(published: 5));
    }

    [Fact]
    public void Events_up_to_the_baseline_are_optional_and_the_replayed_latest_is_not_a_gap()
    {
        var ledger = new TopicLedger();
        ledger.Subscribed(baseline: 10);

        // A late joiner gets the latest event (10), then the live ones; 1..9 were before it subscribed.
        foreach (var seq in new long[] { 10, 11, 12 })
        {
            ledger.Observe(seq);
        }

        Assert.Equal(0, ledger.Lost(published: 12));
        Assert.Equal(2, ledger.Expected(published: 12));
        Assert.Equal(1, ledger.Lost(published: 13));
    }

    [Fact]
    public void A_late_event_fills_its_gap_but_counts_as_out_of_order_and_a_second_copy_as_a_duplicate()
    {
        var ledger = new TopicLedger();
        ledger.Subscribed(baseline: 0);

        foreach (var seq in new long[] { 1, 3, 4, 2, 2 })
        {
            ledger.Observe(seq);
        }

        Assert.Equal(0, ledger.Lost(published: 4));
        Assert.Equal(1, ledger.OutOfOrder);
        Assert.Equal(1, ledger.Duplicates);
    }

    [Fact]
    public void A_resubscription_keeps_the_first_baseline_so_what_was_missed_while_away_counts()
    {
        var ledger = new TopicLedger();
        ledger.Subscribed(baseline: 2);
        ledger.Observe(3);
        ledger.Subscribed(baseline: 6);
        ledger.Observe(7);

        Assert.Equal(3, ledger.Lost(published: 7));
    }

    [Fact]
    public void The_accounting_sums_every_client_against_what_was_acknowledged()
    {
        var accounting = new LoadAccounting(topics: 2);
        var first = accounting.AddClient(0);
        var second = accounting.AddClient(1);
        var never = accounting.AddClient(1);
        first.Subscribed();
        second.Subscribed();
        for (var i = 0; i < 3; i++)
        {
            accounting.Published.Acknowledge(0, accounting.Published.Next(0));
            accounting.Published.Acknowledge(1, accounting.Published.Next(1));
        }

        first.Deliver(1, System.Diagnostics.Stopwatch.GetTimestamp(), "1-0");
        first.Deliver(3, System.Diagnostics.Stopwatch.GetTimestamp(), "3-0");
        first.Deliver(3, System.Diagnostics.Stopwatch.GetTimestamp(), "3-0");
        second.Deliver(1, System.Diagnostics.Stopwatch.GetTimestamp(), "1-0");
        second.Deliver(2, System.Diagnostics.Stopwatch.GetTimestamp(), "2-0");
        second.Deliver(3, System.Diagnostics.Stopwatch.GetTimestamp(), "3-0");

        var summary = accounting.Summarize();

        Assert.Equal(1, summary.Lost);
        Assert.Equal(1, summary.ClientsWithLoss);
        Assert.Equal(1, summary.Duplicates);
        Assert.Equal(6, summary.Expected);
        Assert.Equal(5, accounting.Latency.Count);
        Assert.Equal("3-0", first.LastEventId);
        Assert.Equal(1, summary.NeverSubscribed);
        Assert.Equal(-1, never.Ledger.Baseline);
    }

    [Fact]
    public void Latency_percentiles_come_from_the_recorded_samples()
    {
        var latency = new LatencyRecorder();
        for (var ms = 1; ms <= 100; ms++)
        {
            latency.Record(TimeSpan.FromMilliseconds(ms));
        }

        Assert.Equal(100, latency.Count);
        Assert.Equal(50, latency.PercentileMs(0.50), 0.02);
        Assert.Equal(99, latency.PercentileMs(0.99), 0.02);
        Assert.Equal(100, latency.MaxMs, 0.001);
    }
}
