using System.Threading.Tasks.Sources;
using Microsoft.AspNetCore.SignalR;
using RealtimeHub.Server.Delivery;

namespace RealtimeHub.Server.Sse;

/// <summary>
/// What a node still has to write to one SSE stream: the stream's member of its topics' groups
/// (<see cref="NodeLifetimeManager.Attach"/>). Sending never waits: a relay hands each message to all
/// local members, so one stalled reader must not hold up the others. Messages are queued as the shared
/// bytes the backplane already rendered in the SSE protocol (no copy per stream). Once more than the byte
/// limit is queued the outbox overflows: it takes nothing more and reports the bytes waiting, and the stream
/// is cut off; the client reconnects with its last id and replays. A <c>default</c> item is a heartbeat
/// request from <see cref="SseHeartbeat"/>.
/// </summary>
/// <remarks>
/// Most streams sit idle most of the time, so the outbox costs as little as it can while empty: its queue
/// is created with the first message, and its one reader waits on the outbox itself
/// (<see cref="IValueTaskSource{TResult}"/>) rather than on a channel of its own.
/// </remarks>
internal sealed class SseOutbox(string connectionId, SseHubProtocol protocol, long maxQueuedBytes, Action<long> onOverflow) : ILocalMember, IValueTaskSource<bool>
{
    private readonly Lock _gate = new();
    private ManualResetValueTaskSourceCore<bool> _wake = new() { RunContinuationsAsynchronously = true };
    private Queue<ReadOnlyMemory<byte>>? _queue;
    private bool _waiting;
    private bool _done;
    private Exception? _error;
    private long _queuedBytes;
    private int _closed;
    private int _heartbeatQueued;

    public string ConnectionId => connectionId;

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

    public void Send(SerializedHubMessage message)
    {
        ReadOnlyMemory<byte> bytes;
        try
        {
            bytes = message.GetSerializedMessage(protocol);
        }
        catch (InvalidOperationException)
        {
            // From a node that lacked the SSE protocol: the stream ends, and its client resumes from the
            // history, which has the event.
            Complete();
            return;
        }

        Write(bytes);
    }

    public void Close() => Complete();

    /// <summary>
    /// Queues one rendered message; empty ones (messages with no SSE form) are dropped. Past the byte
    /// limit the outbox overflows instead.
    /// </summary>
    public void Write(ReadOnlyMemory<byte> message)
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

    /// <summary>Takes nothing more: the reader drains what is queued, then sees the end (or <paramref name="exception"/>).</summary>
    public void Complete(Exception? exception = null)
    {
        // Closed: later writes (a backplane message racing the disconnect) are dropped, never reported as overflow.
        Volatile.Write(ref _closed, 1);
        Finish(exception);
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _wake.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _wake.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wake.OnCompleted(continuation, state, token, flags);

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
