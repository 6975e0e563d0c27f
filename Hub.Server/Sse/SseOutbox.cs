using System.IO.Pipelines;
using System.Threading.Tasks.Sources;

namespace RealtimeHub.Server.Sse;

/// <summary>
/// The transport of an SSE hub connection: its output is this outbox, its input a reader nobody reads.
/// Writes never wait: the backplane writes each group message to all local members and awaits them
/// together, so one stalled reader must not hold up the others. Serialised messages are queued as the
/// shared buffers they already are (no copy per connection). Once more than the byte limit is queued the
/// outbox overflows: it takes nothing more and reports the bytes waiting, and the stream is cut off; the client
/// reconnects with its last id and replays. A <c>default</c> item is a heartbeat request from
/// <see cref="SseHeartbeat"/>.
/// </summary>
/// <remarks>
/// Most streams sit idle most of the time, so the outbox costs as little as it can while empty: its queue
/// is created with the first message, and its one reader waits on the outbox itself
/// (<see cref="IValueTaskSource{TResult}"/>) rather than on a channel of its own.
/// </remarks>
internal sealed class SseOutbox(long maxQueuedBytes, Action<long> onOverflow) : PipeWriter, IDuplexPipe, IValueTaskSource<bool>
{
    // Nothing is ever read from an SSE client, so every outbox shares one reader that is never read.
    private static readonly PipeReader NeverRead = PipeReader.Create(Stream.Null);

    private readonly Lock _gate = new();
    private ManualResetValueTaskSourceCore<bool> _wake = new() { RunContinuationsAsynchronously = true };
    private Queue<ReadOnlyMemory<byte>>? _queue;
    private bool _waiting;
    private bool _done;
    private Exception? _error;
    private byte[] _scratch = [];
    private int _written;
    private long _queuedBytes;
    private int _closed;
    private int _heartbeatQueued;

    PipeReader IDuplexPipe.Input => NeverRead;

    PipeWriter IDuplexPipe.Output => this;

    /// <summary>Asks the stream to write a heartbeat; at most one request waits at a time.</summary>
    public void RequestHeartbeat()
    {
        if (Interlocked.Exchange(ref _heartbeatQueued, 1) == 0)
        {
            Push(default);
        }
    }

    /// <summary>Called by the stream once it has taken a heartbeat request.</summary>
    public void HeartbeatTaken() => Volatile.Write(ref _heartbeatQueued, 0);

    /// <summary>Called by the stream once it has written <paramref name="bytes"/> to the response.</summary>
    public void Sent(int bytes) => Interlocked.Add(ref _queuedBytes, -bytes);

    /// <summary>
    /// Waits until an item can be read: true when one can, false once the outbox is complete and empty;
    /// throws what it was completed with (an overflow, a cancellation). One reader at a time.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (_gate)
        {
            if (_queue is { Count: > 0 })
            {
                return new ValueTask<bool>(true);
            }

            if (_done)
            {
                return _error is null ? new ValueTask<bool>(false) : ValueTask.FromException<bool>(_error);
            }

            _wake.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _wake.Version);
        }
    }

    /// <summary>Takes the next item, if there is one.</summary>
    public bool TryRead(out ReadOnlyMemory<byte> item)
    {
        lock (_gate)
        {
            if (_queue is { Count: > 0 } queue)
            {
                item = queue.Dequeue();
                return true;
            }
        }

        item = default;
        return false;
    }

    /// <summary>Ends the reader's wait with a cancellation: the stream is stopping.</summary>
    public void Cancel(CancellationToken token) => Finish(new OperationCanceledException(token));

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
        Finish(exception);
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _wake.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _wake.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wake.OnCompleted(continuation, state, token, flags);

    private void Enqueue(ReadOnlyMemory<byte> message)
    {
        if (message.IsEmpty || Volatile.Read(ref _closed) == 1)
        {
            return;
        }

        if (Interlocked.Add(ref _queuedBytes, message.Length) is var queued && queued > maxQueuedBytes)
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                Finish(new SseOverflowException(maxQueuedBytes));
                onOverflow(queued);
            }

            return;
        }

        Push(message);
    }

    private void Push(ReadOnlyMemory<byte> item)
    {
        lock (_gate)
        {
            if (_done)
            {
                return;
            }

            (_queue ??= new Queue<ReadOnlyMemory<byte>>()).Enqueue(item);
            Wake();
        }
    }

    /// <summary>No more items: the reader drains what is queued, then sees the end (or <paramref name="error"/>).</summary>
    private void Finish(Exception? error)
    {
        lock (_gate)
        {
            if (_done)
            {
                return;
            }

            _done = true;
            _error = error;
            if (_waiting)
            {
                // The reader waits only while the queue is empty: tell it the end, or the reason.
                _waiting = false;
                if (error is null)
                {
                    _wake.SetResult(false);
                }
                else
                {
                    _wake.SetException(error);
                }
            }
        }
    }

    private void Wake()
    {
        if (_waiting)
        {
            // Continuations run asynchronously, so the reader never resumes inside this lock.
            _waiting = false;
            _wake.SetResult(true);
        }
    }
}

/// <summary>A reader fell further behind than the outbox holds.</summary>
internal sealed class SseOverflowException(long limit)
    : Exception($"The client read too slowly: more than {limit} bytes were waiting for it.");
