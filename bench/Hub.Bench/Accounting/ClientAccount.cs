using System.Diagnostics;

namespace RealtimeHub.Bench.Accounting;

/// <summary>One client's account: its topic's ledger, the last event id to resume from, and its recovery after a drop.</summary>
internal sealed class ClientAccount(int topic, LoadAccounting owner)
{
    private long _recoverTarget = -1;
    private long _droppedAt;
    private long _recoveredAt;
    private string? _lastEventId;

    /// <summary>The topic's number, 0 .. topics - 1.</summary>
    public int Topic => topic;

    /// <summary>Events seen, gaps, duplicates and order of the client's topic.</summary>
    public TopicLedger Ledger { get; } = new();

    /// <summary>The id to hand back on reconnect: the last event seen in order (SSE: the stream's <c>id:</c>).</summary>
    public string? LastEventId => Volatile.Read(ref _lastEventId);

    /// <summary>True while dropped and not yet caught up again.</summary>
    public bool Recovering => Interlocked.Read(ref _recoverTarget) >= 0 && Interlocked.Read(ref _recoveredAt) == 0;

    /// <summary>When it caught up after its last drop (<see cref="Stopwatch"/> timestamp, the same clock in every process); 0 if not.</summary>
    public long RecoveredAt => Interlocked.Read(ref _recoveredAt);

    /// <summary>From the drop to caught up; null if never dropped or not recovered.</summary>
    public TimeSpan? RecoveryTime => Interlocked.Read(ref _recoveredAt) is var at and > 0 ? Stopwatch.GetElapsedTime(_droppedAt, at) : null;

    /// <summary>Called once a subscription (first or resumed) has completed on the hub.</summary>
    public void Subscribed()
    {
        var started = owner.Published.Started(topic);
        Ledger.Subscribed(started);
        if (Interlocked.Read(ref _droppedAt) != 0 && Interlocked.Read(ref _recoveredAt) == 0)
        {
            // Caught up once it has seen everything whose publish had started before it was back.
            Interlocked.Exchange(ref _recoverTarget, started);
            CheckRecovered();
        }
    }

    /// <summary>Called when the bench drops the client's connection on purpose.</summary>
    public void Dropped(long timestamp)
    {
        Interlocked.Exchange(ref _droppedAt, timestamp);
        Interlocked.Exchange(ref _recoveredAt, 0);
        Interlocked.Exchange(ref _recoverTarget, -1);
    }

    /// <summary>Accounts one received event: its number, the publisher's timestamp and its id.</summary>
    public Delivery Deliver(long seq, long sentTimestamp, string? eventId)
    {
        var delivery = Ledger.Observe(seq);
        owner.Count(delivery);
        if (delivery != Delivery.Duplicate && seq > Ledger.Baseline)
        {
            owner.Latency.RecordSince(sentTimestamp);
        }

        if (delivery == Delivery.InOrder && eventId is not null)
        {
            Volatile.Write(ref _lastEventId, eventId);
        }

        CheckRecovered();
        return delivery;
    }

    /// <summary>
    /// Takes where the hub said a fresh subscription begins (SSE: the first <c>id:</c>; SignalR: 0-0 when
    /// <c>Subscribe</c> found the topic empty) as the id to resume from, until an event is seen.
    /// </summary>
    public void Positioned(string position) => Interlocked.CompareExchange(ref _lastEventId, position, null);

    /// <summary>Counts an event the client dropped as the overlap of a resume (history and live both carried it).</summary>
    public void Overlap() => owner.CountOverlap();

    private void CheckRecovered()
    {
        var target = Interlocked.Read(ref _recoverTarget);
        if (target >= 0 && Ledger.Last >= target)
        {
            Interlocked.CompareExchange(ref _recoveredAt, Stopwatch.GetTimestamp(), 0);
        }
    }
}
