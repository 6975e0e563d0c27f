using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace RealtimeHub.Server.WebSockets;

/// <summary>
/// One socket send on a <see cref="SocketAsyncEventArgs"/> taken from a pool the node's sockets share.
/// <see cref="Socket.SendAsync(ReadOnlyMemory{byte}, SocketFlags, CancellationToken)"/> would keep an event
/// args object on every socket it ever sent on, a few hundred bytes per idle connection; here a send that
/// completes at once (the common case) hands its object straight back, and one that pends keeps it until it
/// completes.
/// </summary>
internal sealed class PooledSocketSend : SocketAsyncEventArgs, IValueTaskSource<int>
{
    /// <summary>As many as can pend at once on a busy node; beyond that a finished send's object is dropped.</summary>
    private const int MaxPooled = 1024;

    private static readonly ConcurrentQueue<PooledSocketSend> Pool = new();
    private ManualResetValueTaskSourceCore<int> _completion = new() { RunContinuationsAsynchronously = true };

    private PooledSocketSend()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Sends <paramref name="buffer"/> on <paramref name="socket"/>: the bytes the socket took (all of them unless it closes).</summary>
    public static ValueTask<int> SendAsync(Socket socket, ReadOnlyMemory<byte> buffer)
    {
        var send = Pool.TryDequeue(out var pooled) ? pooled : new PooledSocketSend();
        send.SetBuffer(MemoryMarshal.AsMemory(buffer));
        bool pending;
        try
        {
            pending = socket.SendAsync(send);
        }
        catch
        {
            send.Release();
            throw;
        }

        if (pending)
        {
            return new ValueTask<int>(send, send._completion.Version);
        }

        var (error, sent) = (send.SocketError, send.BytesTransferred);
        send.Release();
        return error == SocketError.Success ? new ValueTask<int>(sent) : ValueTask.FromException<int>(new SocketException((int)error));
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        if (SocketError == SocketError.Success)
        {
            _completion.SetResult(BytesTransferred);
        }
        else
        {
            _completion.SetException(new SocketException((int)SocketError));
        }
    }

    int IValueTaskSource<int>.GetResult(short token)
    {
        try
        {
            return _completion.GetResult(token);
        }
        finally
        {
            _completion.Reset();
            Release();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    /// <summary>Forgets the buffer and goes back to the pool, or is dropped when the pool is full.</summary>
    private void Release()
    {
        SetBuffer(Memory<byte>.Empty);
        if (Pool.Count < MaxPooled)
        {
            Pool.Enqueue(this);
        }
        else
        {
            Dispose();
        }
    }
}
