using System.Buffers;
using System.IO.Pipelines;

namespace RealtimeHub.Server.WebSockets;

/// <summary>
/// The output SignalR writes a <see cref="HubWebSocketConnection"/>'s own messages to (the handshake,
/// pings, invocation results): each flush sends what was written since the one before as one whole
/// WebSocket message, on the flushing thread, and pends while the socket pushes back. There is no pipe
/// and no send loop behind it, and it holds a buffer only between a write and its flush. SignalR writes
/// one message at a time (its connection's write lock), so only completing it can overlap a write.
/// </summary>
internal sealed class WebSocketMessageWriter(HubWebSocketConnection connection) : PipeWriter
{
    private const int MinimumBufferSize = 4096;

    private byte[]? _buffer;
    private int _written;
    private volatile bool _completed;
    private volatile bool _flushCanceled;

    public override Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_written);

    public override Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_written);

    public override void Advance(int bytes)
    {
        if (bytes < 0 || _written + bytes > (_buffer?.Length ?? 0))
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), "Advanced past the memory handed out.");
        }

        _written += bytes;
    }

    /// <summary>Sends what was written as one message; completes at once when the socket takes it at once.</summary>
    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_written == 0)
        {
            return new(Result());
        }

        var send = connection.SendAsync(_buffer.AsMemory(0, _written));
        if (send.IsCompletedSuccessfully)
        {
            Release();
            return new(Result());
        }

        return FinishAsync(send);
    }

    /// <summary>A pending flush cannot be interrupted mid-send (aborting the connection ends it); it reports itself canceled.</summary>
    public override void CancelPendingFlush() => _flushCanceled = true;

    /// <summary>Takes no more writes. A buffer still held is left to the collector, since a write may still be copying into it.</summary>
    public override void Complete(Exception? exception = null) => _completed = true;

    private async ValueTask<FlushResult> FinishAsync(ValueTask send)
    {
        try
        {
            await send;
        }
        finally
        {
            Release();
        }

        return Result();
    }

    private FlushResult Result()
    {
        var canceled = _flushCanceled;
        _flushCanceled = false;
        return new FlushResult(canceled, isCompleted: _completed);
    }

    private byte[] Reserve(int sizeHint)
    {
        if (_completed)
        {
            throw new InvalidOperationException("Writing is not allowed after the connection's output was completed.");
        }

        var needed = _written + Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, MinimumBufferSize));
        }
        else if (needed > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(0, _written).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer;
    }

    /// <summary>Hands the sent buffer back, so an idle connection holds none.</summary>
    private void Release()
    {
        var sent = _buffer;
        _buffer = null;
        _written = 0;
        if (sent is not null)
        {
            ArrayPool<byte>.Shared.Return(sent);
        }
    }
}
