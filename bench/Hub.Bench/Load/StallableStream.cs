using System.Diagnostics;
using System.Net.Sockets;

namespace RealtimeHub.Bench.Load;

/// <summary>
/// A connection's stream that can stop being read. After <see cref="Stall"/> every new read waits until the
/// stream is disposed, so the socket's receive buffer fills, its window closes and the peer's writes back up,
/// as with a client that stopped reading. <see cref="ProbeAsync"/> then reads the socket itself to tell whether
/// the peer has closed it.
/// </summary>
internal sealed class StallableStream(Stream inner) : Stream
{
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stalled;
    private volatile Task<int>? _lastRead;
    private volatile bool _lastReadEmpty;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>From now on, reads wait until the stream is disposed; a read already under way still completes.</summary>
    public void Stall() => _stalled = true;

    /// <summary>
    /// Reads what the peer sent, a read at a time, each allowed <paramref name="quiet"/>, for at most
    /// <paramref name="limit"/> in all. Closed: the stream ended (0 bytes) or failed (reset, or ended and
    /// disposed by the client on that account). Open: a read found nothing within <paramref name="quiet"/>, or
    /// data still came at the limit. Call once, at the end; the stream is of no use afterwards.
    /// </summary>
    public async Task<StallProbe> ProbeAsync(TimeSpan quiet, TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        long drained = 0;
        try
        {
            // The read under way when the stream stalled, if any, must end before the socket can be read again.
            if (_lastRead is { } last && await last.WaitAsync(quiet) == 0 && !_lastReadEmpty)
            {
                return new StallProbe(true, drained);
            }

            var buffer = new byte[64 * 1024];
            while (Stopwatch.GetElapsedTime(started) < limit)
            {
                using var timeout = new CancellationTokenSource(quiet);
                var read = await inner.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return new StallProbe(true, drained);
                }

                drained += read;
            }

            return new StallProbe(false, drained);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            return new StallProbe(false, drained);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return new StallProbe(true, drained);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_stalled)
        {
            await _disposed.Task.WaitAsync(cancellationToken);
            throw new ObjectDisposedException(nameof(StallableStream));
        }

        var read = inner.ReadAsync(buffer, cancellationToken).AsTask();
        _lastReadEmpty = buffer.IsEmpty;
        _lastRead = read;
        return await read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _disposed.TrySetResult();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>What <see cref="StallableStream.ProbeAsync"/> found.</summary>
/// <param name="Closed">The peer had closed the connection (or reset it).</param>
/// <param name="DrainedBytes">Bytes read from the socket by the probe before it decided.</param>
internal sealed record StallProbe(bool Closed, long DrainedBytes);
