namespace RealtimeHub.Bench.Accounting;

/// <summary>
/// The publisher's side of the account: per topic, the highest event number whose publish has started
/// and the highest the hub has acknowledged (202). Each topic is published by one lane only, in order.
/// </summary>
internal sealed class PublishLog(int topics)
{
    private readonly long[] _started = new long[topics];
    private readonly long[] _acknowledged = new long[topics];
    private long _failedBatches;
    private long _failedEvents;

    /// <summary>Topics numbered 0 .. Topics - 1.</summary>
    public int Topics => _started.Length;

    /// <summary>Highest number of <paramref name="topic"/> whose publish has started.</summary>
    public long Started(int topic) => Volatile.Read(ref _started[topic]);

    /// <summary>Highest number of <paramref name="topic"/> the hub acknowledged.</summary>
    public long Acknowledged(int topic) => Volatile.Read(ref _acknowledged[topic]);

    /// <summary>Events acknowledged over all topics.</summary>
    public long TotalAcknowledged => _acknowledged.Sum(n => Volatile.Read(ref n));

    /// <summary>Batches the hub refused or that failed in transport.</summary>
    public long FailedBatches => Interlocked.Read(ref _failedBatches);

    /// <summary>Events in those batches.</summary>
    public long FailedEvents => Interlocked.Read(ref _failedEvents);

    /// <summary>Takes the next number of <paramref name="topic"/>, marking its publish as started.</summary>
    public long Next(int topic) => Interlocked.Increment(ref _started[topic]);

    /// <summary>Records the hub's acknowledgement of <paramref name="topic"/> up to <paramref name="seq"/>.</summary>
    public void Acknowledge(int topic, long seq) => Volatile.Write(ref _acknowledged[topic], seq);

    /// <summary>Records a refused or failed batch of <paramref name="events"/> events.</summary>
    public void Failed(int events)
    {
        Interlocked.Increment(ref _failedBatches);
        Interlocked.Add(ref _failedEvents, events);
    }
}
