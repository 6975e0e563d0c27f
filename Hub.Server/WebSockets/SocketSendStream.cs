using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace RealtimeHub.Server.WebSockets;

/// <summary>
/// An upgraded HTTP/1.1 request's stream whose writes go straight to the connection's socket instead of
/// through Kestrel's response pipe and its socket send loop: a frame is sent on the writing thread, with
/// one system call while the socket has room, and a write pends (so the WebSocket's send pends) only while
/// the socket pushes back. Reads still come through Kestrel. Used only where the socket carries the
/// request's bytes as they are (plain HTTP/1.1, no TLS).
/// </summary>
/// <remarks>
/// Writes take Kestrel's path until the first bytes have been read: a client sends nothing before it has
/// read the <c>101 Switching Protocols</c> Kestrel wrote, so from then on nothing of Kestrel's can still be
/// on its way to the socket. A connection that writes before it has read anything stays on Kestrel's path.
/// A send that has reached the socket is not cancelled by its token; aborting the connection ends it.
/// </remarks>
internal sealed class SocketSendStream(Stream upgraded, Socket socket) : Stream
{
    private const int Undecided = 0, Direct = 1, ThroughKestrel = 2;
    private int _path;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Wraps the upgrade of <paramref name="context"/> when its socket carries the request's bytes as they are.</summary>
    public static void UseForUpgradeOf(HttpContext context)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade
            && context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket
            && context.Features.Get<ITlsConnectionFeature>() is null
            && HttpProtocol.IsHttp11(context.Request.Protocol))
        {
            context.Features.Set<IHttpUpgradeFeature>(new Upgrade(upgrade, socket));
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _path) == Undecided ? ReadUntilDecidedAsync(buffer, cancellationToken) : upgraded.ReadAsync(buffer, cancellationToken);

    /// <summary>Reads while the path is undecided; the first bytes read decide it for the socket unless a write went through Kestrel.</summary>
    private async ValueTask<int> ReadUntilDecidedAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await upgraded.ReadAsync(buffer, cancellationToken);
        if (read > 0)
        {
            Interlocked.CompareExchange(ref _path, Direct, Undecided);
        }

        return read;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!WritesToSocket())
        {
            return upgraded.WriteAsync(buffer, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return SendAsync(buffer);
    }

    /// <summary>Whether writes go to the socket: the first bytes read decide it, unless a write came first and took Kestrel's path for good.</summary>
    private bool WritesToSocket() =>
        Volatile.Read(ref _path) == Direct || Interlocked.CompareExchange(ref _path, ThroughKestrel, Undecided) == Direct;

    /// <summary>Sends all of <paramref name="buffer"/>; completes at once when the socket takes it at once (it takes a whole buffer unless it closes).</summary>
    private async ValueTask SendAsync(ReadOnlyMemory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var sent = await PooledSocketSend.SendAsync(socket, buffer);
            buffer = sent > 0 ? buffer[sent..] : throw new IOException("The socket took nothing of a send.");
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _path) == Direct ? Task.CompletedTask : upgraded.FlushAsync(cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush() => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            upgraded.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The request's upgrade, handing out the upgraded stream wrapped.</summary>
    private sealed class Upgrade(IHttpUpgradeFeature inner, Socket socket) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync() => new SocketSendStream(await inner.UpgradeAsync(), socket);
    }
}
