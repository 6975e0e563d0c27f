using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;

namespace RealtimeHub.Server.Delivery;

/// <summary>
/// What this node still has to write to one connection. Sending never waits: a message is written at
/// once while the connection keeps up, and queues behind the write in progress while its transport
/// pushes back (a full socket, a long poll nobody collects, a stateful-reconnect buffer awaiting
/// acknowledgements). Once more than the byte limit would wait, the connection is cut off (aborted);
/// its client resumes with its last id and misses nothing. A connection whose transport sends serialised
/// messages itself (<see cref="ISerializedMessageSender"/>) gets them that way; any other through SignalR's
/// <see cref="HubConnectionContext.WriteAsync(SerializedHubMessage, CancellationToken)"/>.
/// </summary>
internal sealed class ConnectionOutbox(HubConnectionContext connection, string transport, long maxPendingBytes, SlowConsumers slowConsumers) : ILocalMember
{
    private readonly Lock _gate = new();
    private readonly ISerializedMessageSender? _sender = connection.Features.Get<ISerializedMessageSender>();
    private Queue<(SerializedHubMessage Message, int Bytes)>? _queue;
    private long _pendingBytes;
    private bool _writing;
    private bool _closed;

    /// <summary>The connection this outbox writes to.</summary>
    public HubConnectionContext Connection => connection;

    public string ConnectionId => connection.ConnectionId;

    /// <summary>Writes <paramref name="message"/> now, or queues it; cuts the connection off when the queue would pass the limit.</summary>
    public void Send(SerializedHubMessage message)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if (!_writing)
            {
                // The common case: nothing waits, so the message is written now and its size never matters.
                _writing = true;
            }
            else
            {
                Queue(message);
                return;
            }
        }

        WriteFrom(message);
    }

    /// <summary>Queues behind the write in progress, or cuts the connection off past the limit. Under the lock.</summary>
    private void Queue(SerializedHubMessage message)
    {
        int bytes;
        try
        {
            bytes = message.GetSerializedMessage(connection.Protocol).Length;
        }
        catch (InvalidOperationException)
        {
            // A message from a node that lacked this connection's protocol cannot be written to it: the
            // connection closes and its client resumes from history, which has the event.
            CloseLocked();
            connection.Abort();
            return;
        }

        if (_pendingBytes + bytes <= maxPendingBytes)
        {
            (_queue ??= new Queue<(SerializedHubMessage, int)>()).Enqueue((message, bytes));
            _pendingBytes += bytes;
            return;
        }

        var pending = _pendingBytes + bytes;
        CloseLocked();
        connection.Abort();

        // Closing a WebSocket politely means sending a close frame the stalled client will not read for
        // a while; the request underneath is reset instead, so its socket and buffers go at once.
        connection.Features.Get<IHttpContextFeature>()?.HttpContext?.Abort();
        slowConsumers.CutOff(connection.ConnectionId, transport, pending, maxPendingBytes);
    }

    /// <summary>Drops whatever waits and takes nothing more: the connection is gone.</summary>
    public void Close()
    {
        lock (_gate)
        {
            CloseLocked();
        }
    }

    /// <summary>Writes <paramref name="message"/> and then the queue, synchronously while writes complete at once.</summary>
    private void WriteFrom(SerializedHubMessage message)
    {
        while (true)
        {
            var write = Write(message);
            if (!write.IsCompleted)
            {
                _ = FinishThenContinueAsync(write);
                return;
            }

            try
            {
                write.GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                // The connection (or its transport) logs a failed write and aborts itself; nothing more goes to it.
                Close();
                return;
            }

            if (!TryTakeNext(out message))
            {
                return;
            }
        }
    }

    private ValueTask Write(SerializedHubMessage message)
    {
        if (_sender is null)
        {
            return connection.WriteAsync(message);
        }

        ReadOnlyMemory<byte> serialized;
        try
        {
            serialized = message.GetSerializedMessage(connection.Protocol);
        }
        catch (InvalidOperationException unwritable)
        {
            // From a node that lacked this connection's protocol (see Queue): the connection closes.
            connection.Abort();
            return ValueTask.FromException(unwritable);
        }

        return _sender.SendAsync(serialized);
    }

    private async Task FinishThenContinueAsync(ValueTask write)
    {
        try
        {
            await write;
        }
        catch (Exception)
        {
            Close();
            return;
        }

        if (TryTakeNext(out var next))
        {
            WriteFrom(next);
        }
    }

    private bool TryTakeNext(out SerializedHubMessage message)
    {
        lock (_gate)
        {
            if (!_closed && _queue is { Count: > 0 } queue)
            {
                (message, var bytes) = queue.Dequeue();
                _pendingBytes -= bytes;
                return true;
            }

            _writing = false;
            message = null!;
            return false;
        }
    }

    private void CloseLocked()
    {
        _closed = true;
        _queue = null;
        _pendingBytes = 0;
    }
}
