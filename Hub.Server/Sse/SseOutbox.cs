using System.IO.Pipelines;
using System.Threading.Channels;

namespace RealtimeHub.Server.Sse;

/// <summary>
/// The transport output of an SSE hub connection. Writes never wait: the backplane writes each group
/// message to all local members and awaits them together, so one stalled reader must not hold up the
/// others. Serialised messages are queued as the shared buffers they already are (no copy per
/// connection). Once more than the byte limit is queued the outbox overflows: it drops everything and
/// reports it, and the stream is cut off; the client reconnects with its last id and replays.
/// A <c>default</c> item is a heartbeat request from <see cref="SseHeartbeat"/>.
/// </summary>
internal sealed class SseOutbox(long maxQueuedBytes, Action onOverflow) : PipeWriter
{
    private readonly Channel<ReadOnlyMemory<byte>> _queue = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    private byte[] _scratch = [];
    private int _written;
    private long _queuedBytes;
    private int _closed;
    private int _heartbeatQueued;

    public ChannelReader<ReadOnlyMemory<byte>> Reader => _queue.Reader;

    /// <summary>Asks the stream to write a heartbeat; at most one request waits at a time.</summary>
    public void RequestHeartbeat()
    {
        if (Interlocked.Exchange(ref _heartbeatQueued, 1) == 0)
        {
            _queue.Writer.TryWrite(default);
        }
    }

    /// <summary>Called by the stream once it has taken a heartbeat request.</summary>
    public void HeartbeatTaken() => Volatile.Write(ref _heartbeatQueued, 0);

    /// <summary>Called by the stream once it has written <paramref name="bytes"/> to the response.</summary>
    public void Sent(int bytes) => Interlocked.Add(ref _queuedBytes, -bytes);

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        Enqueue(source);
        return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: Volatile.Read(ref _closed) == 1));
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        var needed = _written + Math.Max(sizeHint, 256);
        if (_scratch.Length < needed)
        {
            Array.Resize(ref _scratch, Math.Max(needed, _scratch.Length * 2));
        }

        return _scratch.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes) => _written += bytes;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_written > 0)
        {
            // Bytes written through GetMemory/Advance live in the reused scratch buffer: copy them out.
            Enqueue(_scratch.AsSpan(0, _written).ToArray());
            _written = 0;
        }

        return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: Volatile.Read(ref _closed) == 1));
    }

    public override void CancelPendingFlush()
    {
        // Flushes never pend.
    }

    public override void Complete(Exception? exception = null)
    {
        // Closed: later writes (a backplane message racing the disconnect) are dropped, never reported as overflow.
        Volatile.Write(ref _closed, 1);
        _queue.Writer.TryComplete(exception);
    }

    private void Enqueue(ReadOnlyMemory<byte> message)
    {
        if (message.IsEmpty || Volatile.Read(ref _closed) == 1)
        {
            return;
        }

        if (Interlocked.Add(ref _queuedBytes, message.Length) > maxQueuedBytes)
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                _queue.Writer.TryComplete(new SseOverflowException(maxQueuedBytes));
                onOverflow();
            }

            return;
        }

        _queue.Writer.TryWrite(message);
    }
}

/// <summary>A reader fell further behind than the outbox holds.</summary>
internal sealed class SseOverflowException(long limit)
    : Exception($"The client read too slowly: more than {limit} bytes were waiting for it.");
