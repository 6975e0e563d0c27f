using System.Diagnostics;

namespace RealtimeHub.Bench.Accounting;

/// <summary>
/// Publish-to-deliver latencies, recorded from any thread without locks: 10 µs buckets up to 2 s, then
/// 1 ms buckets up to 120 s; anything longer counts in the last bucket. Percentiles are therefore exact
/// to 10 µs below 2 s. Timestamps are <see cref="Stopwatch"/> ticks of this process, taken by the
/// publisher just before it sends a batch, so bench and clients share one clock.
/// </summary>
internal sealed class LatencyRecorder
{
    private const long FineStepMicros = 10;
    private const long FineLimitMicros = 2_000_000;
    private const long CoarseStepMicros = 1_000;
    private const long CoarseLimitMicros = 120_000_000;
    private const int FineBuckets = (int)(FineLimitMicros / FineStepMicros);
    private const int CoarseBuckets = (int)((CoarseLimitMicros - FineLimitMicros) / CoarseStepMicros);

    private readonly long[] _buckets = new long[FineBuckets + CoarseBuckets + 1];
    private long _count;
    private long _maxMicros;

    /// <summary>Samples recorded.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Records the time from <paramref name="sentTimestamp"/> (Stopwatch ticks) to now.</summary>
    public void RecordSince(long sentTimestamp) => Record(Stopwatch.GetElapsedTime(sentTimestamp));

    /// <summary>Records one latency.</summary>
    public void Record(TimeSpan latency)
    {
        var micros = Math.Max(0, (long)(latency.Ticks / (double)TimeSpan.TicksPerMicrosecond));
        var bucket = micros < FineLimitMicros
            ? (int)(micros / FineStepMicros)
            : FineBuckets + (int)Math.Min((micros - FineLimitMicros) / CoarseStepMicros, CoarseBuckets);
        Interlocked.Increment(ref _buckets[bucket]);
        Interlocked.Increment(ref _count);
        RaiseMax(micros);
    }

    private void RaiseMax(long micros)
    {
        var max = Interlocked.Read(ref _maxMicros);
        while (micros > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxMicros, micros, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>The recorded samples as counts per bucket (empty buckets left out), to be merged elsewhere.</summary>
    public LatencyHistogram Export()
    {
        var buckets = new Dictionary<int, long>();
        for (var i = 0; i < _buckets.Length; i++)
        {
            if (Interlocked.Read(ref _buckets[i]) is var n and > 0)
            {
                buckets[i] = n;
            }
        }

        return new LatencyHistogram(buckets, Interlocked.Read(ref _maxMicros));
    }

    /// <summary>Adds another recorder's samples: percentiles of the merged buckets are those of all samples together.</summary>
    public void Merge(LatencyHistogram histogram)
    {
        foreach (var (bucket, count) in histogram.Buckets)
        {
            Interlocked.Add(ref _buckets[bucket], count);
            Interlocked.Add(ref _count, count);
        }

        RaiseMax(histogram.MaxMicros);
    }

    /// <summary>The largest latency recorded, in milliseconds.</summary>
    public double MaxMs => Interlocked.Read(ref _maxMicros) / 1000.0;

    /// <summary>The nearest-rank percentile <paramref name="q"/> (0..1) in milliseconds: the upper edge of its bucket; 0 when empty.</summary>
    public double PercentileMs(double q)
    {
        var count = Count;
        if (count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * count));
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank)
            {
                var upperMicros = i < FineBuckets
                    ? (i + 1) * FineStepMicros
                    : FineLimitMicros + ((i - FineBuckets + 1) * CoarseStepMicros);
                return Math.Min(upperMicros / 1000.0, MaxMs);
            }
        }

        return MaxMs;
    }
}

/// <summary>A <see cref="LatencyRecorder"/>'s samples in transit: count per bucket index, and the largest latency.</summary>
/// <param name="Buckets">Samples per bucket index; empty buckets are left out.</param>
/// <param name="MaxMicros">The largest latency recorded, in microseconds.</param>
internal sealed record LatencyHistogram(IReadOnlyDictionary<int, long> Buckets, long MaxMicros);
