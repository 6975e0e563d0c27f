namespace RealtimeHub.Bench.Accounting;

/// <summary>What one delivery was, as far as the ledger can tell.</summary>
internal enum Delivery
{
    /// <summary>The next event, or one after a gap: first seen, in order.</summary>
    InOrder,

    /// <summary>First seen, but after a later event of the same topic: it filled a gap.</summary>
    OutOfOrder,

    /// <summary>Seen before: a duplicate.</summary>
    Duplicate,
}

/// <summary>
/// One client's account of one topic. The publisher numbers each topic's events 1, 2, 3, ... (the
/// <c>seq</c> in their data). A client must see every event published after it subscribed, once and in
/// order; the baseline is the highest number whose publish had started when its first subscription
/// completed, so events up to it may or may not arrive (the latest one usually does, as the hub
/// replays it to late joiners) and are never counted lost. The ledger keeps the highest number seen and
/// the ranges skipped below it, so it costs a few words however many events go by.
/// </summary>
internal sealed class TopicLedger
{
    private readonly Lock _gate = new();
    private readonly List<(long From, long To)> _gaps = [];
    private long _baseline = -1;
    private long _last;
    private long _delivered;
    private long _duplicates;
    private long _outOfOrder;

    /// <summary>The highest number seen so far (0 before the first).</summary>
    public long Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>The baseline fixed by the first subscription; -1 before it.</summary>
    public long Baseline
    {
        get
        {
            lock (_gate)
            {
                return _baseline;
            }
        }
    }

    /// <summary>Distinct events seen.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Events seen more than once (each extra sighting counts).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Events that arrived after a later one.</summary>
    public long OutOfOrder => Interlocked.Read(ref _outOfOrder);

    /// <summary>Fixes the baseline at the first subscription; resubscriptions keep it (they must replay what was missed).</summary>
    public void Subscribed(long baseline)
    {
        lock (_gate)
        {
            if (_baseline < 0)
            {
                _baseline = baseline;
            }
        }
    }

    /// <summary>Records a sighting of event <paramref name="seq"/>.</summary>
    public Delivery Observe(long seq)
    {
        lock (_gate)
        {
            if (seq > _last)
            {
                if (seq > _last + 1)
                {
                    _gaps.Add((_last + 1, seq - 1));
                }

                _last = seq;
                _delivered++;
                return Delivery.InOrder;
            }

            for (var i = 0; i < _gaps.Count; i++)
            {
                var (from, to) = _gaps[i];
                if (seq < from || seq > to)
                {
                    continue;
                }

                _gaps.RemoveAt(i);
                if (seq > from)
                {
                    _gaps.Add((from, seq - 1));
                }

                if (seq < to)
                {
                    _gaps.Add((seq + 1, to));
                }

                _delivered++;
                _outOfOrder++;
                return Delivery.OutOfOrder;
            }

            _duplicates++;
            return Delivery.Duplicate;
        }
    }

    /// <summary>True when event <paramref name="seq"/> has been seen already.</summary>
    public bool HasSeen(long seq)
    {
        lock (_gate)
        {
            return seq >= 1 && seq <= _last && !_gaps.Exists(gap => seq >= gap.From && seq <= gap.To);
        }
    }

    /// <summary>Events after the baseline, up to <paramref name="published"/>, that were never seen.</summary>
    public long Lost(long published)
    {
        lock (_gate)
        {
            var floor = Math.Max(_baseline, 0) + 1;
            long lost = 0;
            foreach (var (from, to) in _gaps)
            {
                lost += Count(Math.Max(from, floor), Math.Min(to, published));
            }

            return lost + Count(Math.Max(_last + 1, floor), published);
        }
    }

    /// <summary>Events after the baseline, up to <paramref name="published"/>, that the client had to see.</summary>
    public long Expected(long published)
    {
        lock (_gate)
        {
            return Count(Math.Max(_baseline, 0) + 1, published);
        }
    }

    /// <summary>The ranges skipped below the highest number seen, as "from-to,from-to"; empty when none.</summary>
    public string DescribeGaps()
    {
        lock (_gate)
        {
            return string.Join(",", _gaps.Select(g => $"{g.From}-{g.To}"));
        }
    }

    private static long Count(long from, long to) => Math.Max(0, to - from + 1);
}
