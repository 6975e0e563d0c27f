using System.IO.MemoryMappedFiles;

namespace RealtimeHub.Bench.Accounting;

/// <summary>
/// The publisher's side of the account: per topic, the highest event number whose publish has started
/// and the highest the hub has acknowledged (202). Each topic is published by one lane only, in order.
/// The counters live in a memory-mapped file, so load-generator processes on the same machine
/// (<c>--workers</c>) read the publisher's log as it is written (<see cref="Open"/>); without a path the
/// mapping is private to this process.
/// </summary>
internal sealed unsafe class PublishLog : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly long* _started;
    private readonly long* _acknowledged;
    private readonly long* _failed;

    /// <summary>A log private to this process.</summary>
    public PublishLog(int topics)
        : this(MemoryMappedFile.CreateNew(null, Size(topics)), topics)
    {
    }

    private PublishLog(MemoryMappedFile file, int topics)
    {
        Topics = topics;
        _file = file;
        _view = file.CreateViewAccessor(0, Size(topics));
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _started = (long*)(pointer + _view.PointerOffset);
        _acknowledged = _started + topics;
        _failed = _acknowledged + topics;
    }

    /// <summary>Topics numbered 0 .. Topics - 1.</summary>
    public int Topics { get; }

    /// <summary>Events acknowledged over all topics.</summary>
    public long TotalAcknowledged
    {
        get
        {
            long total = 0;
            for (var topic = 0; topic < Topics; topic++)
            {
                total += Acknowledged(topic);
            }

            return total;
        }
    }

    /// <summary>Batches the hub refused or that failed in transport.</summary>
    public long FailedBatches => Interlocked.Read(ref _failed[0]);

    /// <summary>Events in those batches.</summary>
    public long FailedEvents => Interlocked.Read(ref _failed[1]);

    /// <summary>A log shared through the file at <paramref name="path"/> (created zeroed when missing), for processes on this machine.</summary>
    public static PublishLog Open(string path, int topics)
    {
        using (var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            if (stream.Length < Size(topics))
            {
                stream.SetLength(Size(topics));
            }
        }

        return new PublishLog(MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite), topics);
    }

    /// <summary>Highest number of <paramref name="topic"/> whose publish has started.</summary>
    public long Started(int topic) => Volatile.Read(ref _started[Check(topic)]);

    /// <summary>Highest number of <paramref name="topic"/> the hub acknowledged.</summary>
    public long Acknowledged(int topic) => Volatile.Read(ref _acknowledged[Check(topic)]);

    /// <summary>Takes the next number of <paramref name="topic"/>, marking its publish as started.</summary>
    public long Next(int topic) => Interlocked.Increment(ref _started[Check(topic)]);

    /// <summary>Records the hub's acknowledgement of <paramref name="topic"/> up to <paramref name="seq"/>.</summary>
    public void Acknowledge(int topic, long seq) => Volatile.Write(ref _acknowledged[Check(topic)], seq);

    /// <summary>Records a refused or failed batch of <paramref name="events"/> events.</summary>
    public void Failed(int events)
    {
        Interlocked.Increment(ref _failed[0]);
        Interlocked.Add(ref _failed[1], events);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private static long Size(int topics) => ((2L * topics) + 2) * sizeof(long);

    private int Check(int topic) => (uint)topic < (uint)Topics ? topic : throw new ArgumentOutOfRangeException(nameof(topic));
}
