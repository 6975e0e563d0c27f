using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using RealtimeHub.Server.WebSockets;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.WebSockets;

/// <summary>
/// <see cref="SocketSendStream"/> over a real loopback TCP connection: what the server writes reaches the
/// client straight from the socket once the client has sent something, and through the upgraded stream
/// (Kestrel's path) before that; a write the socket cannot take at once pends until the client reads, and
/// arrives whole. And which requests get it: plain HTTP/1.1 upgrades only.
/// </summary>
public sealed class SocketSendStreamTests : IAsyncLifetime, IDisposable
{
    private Socket _server = null!;
    private Socket _client = null!;
    private readonly KestrelSide _kestrel = new();

    public async Task InitializeAsync() => (_server, _client) = await LoopbackConnection.OpenAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        _kestrel.Dispose();
    }

    [Fact]
    public async Task Once_the_client_has_sent_something_writes_go_straight_to_the_socket()
    {
        var stream = new SocketSendStream(_kestrel, _server);
        _kestrel.Incoming.Writer.TryWrite("handshake"u8.ToArray());
        var buffer = new byte[64];
        Assert.Equal(9, await stream.ReadAsync(buffer));

        await stream.WriteAsync("frame one"u8.ToArray());
        await stream.WriteAsync("frame two"u8.ToArray());

        Assert.Equal("frame oneframe two", await ReceiveAsync(_client, 18));
        Assert.Equal(0, _kestrel.Written.Length);
    }

    [Fact]
    public async Task A_connection_that_writes_before_it_has_read_anything_keeps_Kestrels_path()
    {
        var stream = new SocketSendStream(_kestrel, _server);
        await stream.WriteAsync("early"u8.ToArray());
        _kestrel.Incoming.Writer.TryWrite("handshake"u8.ToArray());
        Assert.Equal(9, await stream.ReadAsync(new byte[64]));

        await stream.WriteAsync("later"u8.ToArray());
        await stream.FlushAsync();

        Assert.Equal("earlylater", Encoding.ASCII.GetString(_kestrel.Written.ToArray()));
        Assert.Equal(1, _kestrel.Flushes);

        // A send on loopback is in the peer's receive queue when it returns: nothing was sent directly.
        Assert.Equal(0, _client.Available);
    }

    [Fact]
    public async Task A_write_the_socket_cannot_take_at_once_pends_until_the_client_reads_and_arrives_whole()
    {
        NarrowWindow(_server, _client);
        var stream = await PastFirstReadAsync(_kestrel, _server);
        var large = new byte[4 * 1024 * 1024];
        Random.Shared.NextBytes(large);

        var write = stream.WriteAsync(large).AsTask();
        Assert.False(write.IsCompleted, "4 MiB cannot fit in the two sockets' buffers");

        var received = await ReceiveBytesAsync(_client, large.Length);
        await write;
        Assert.Equal(large, received);
    }

    [Fact]
    public async Task While_one_connections_send_pends_another_connection_sends_at_once()
    {
        NarrowWindow(_server, _client);
        var stalled = await PastFirstReadAsync(_kestrel, _server);
        var pending = stalled.WriteAsync(new byte[4 * 1024 * 1024]).AsTask();
        Assert.False(pending.IsCompleted);

        var (otherServer, otherClient) = await LoopbackConnection.OpenAsync();
        using (otherServer)
        using (otherClient)
        using (var otherKestrel = new KestrelSide())
        {
            var other = await PastFirstReadAsync(otherKestrel, otherServer);
            for (var i = 0; i < 100; i++)
            {
                var write = other.WriteAsync(Encoding.ASCII.GetBytes($"{i:D3}"));
                Assert.True(write.IsCompletedSuccessfully, "a socket with room takes a frame at once");
            }

            Assert.Equal(string.Concat(Enumerable.Range(0, 100).Select(i => $"{i:D3}")), await ReceiveAsync(otherClient, 300));
        }

        Assert.Equal(4 * 1024 * 1024, (await ReceiveBytesAsync(_client, 4 * 1024 * 1024)).Length);
        await pending;
    }

    [Fact]
    public async Task A_write_to_a_socket_the_connection_has_closed_fails()
    {
        var stream = await PastFirstReadAsync(_kestrel, _server);
        _server.Dispose();

        await Assert.ThrowsAnyAsync<ObjectDisposedException>(async () => await stream.WriteAsync("frame"u8.ToArray()));
    }

    [Theory]
    [InlineData("HTTP/1.1", true, true, false, true)]
    [InlineData("HTTP/1.1", true, true, true, false)]   // TLS: the socket carries encrypted records
    [InlineData("HTTP/2", true, true, false, false)]    // WebSockets over HTTP/2 share the connection's streams
    [InlineData("HTTP/1.1", true, false, false, false)] // a transport without a socket
    [InlineData("HTTP/1.1", false, true, false, false)] // not an upgrade
    public void Only_a_plain_HTTP_1_1_upgrade_over_a_socket_is_wrapped(string protocol, bool upgradable, bool hasSocket, bool tls, bool wrapped)
    {
        var context = new DefaultHttpContext();
        context.Request.Protocol = protocol;
        var upgrade = new Upgrade(upgradable);
        context.Features.Set<IHttpUpgradeFeature>(upgrade);
        if (hasSocket)
        {
            context.Features.Set<IConnectionSocketFeature>(new SocketFeature(_server));
        }

        if (tls)
        {
            context.Features.Set<ITlsConnectionFeature>(new TlsConnectionFeature());
        }

        SocketSendStream.UseForUpgradeOf(context);

        Assert.Equal(wrapped, !ReferenceEquals(upgrade, context.Features.Get<IHttpUpgradeFeature>()));
    }

    [Fact]
    public async Task A_wrapped_upgrade_hands_out_the_upgraded_stream_wrapped()
    {
        var context = new DefaultHttpContext();
        context.Request.Protocol = "HTTP/1.1";
        context.Features.Set<IHttpUpgradeFeature>(new Upgrade(true, _kestrel));
        context.Features.Set<IConnectionSocketFeature>(new SocketFeature(_server));
        SocketSendStream.UseForUpgradeOf(context);

        var stream = await context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        _kestrel.Incoming.Writer.TryWrite([1]);
        Assert.Equal(1, await stream.ReadAsync(new byte[1]));
        await stream.WriteAsync("frame"u8.ToArray());

        Assert.IsType<SocketSendStream>(stream);
        Assert.Equal("frame", await ReceiveAsync(_client, 5));
    }

    /// <summary>A stream whose client has sent its first byte, so its writes go to <paramref name="server"/>.</summary>
    private static async Task<SocketSendStream> PastFirstReadAsync(KestrelSide kestrel, Socket server)
    {
        var stream = new SocketSendStream(kestrel, server);
        kestrel.Incoming.Writer.TryWrite([1]);
        Assert.Equal(1, await stream.ReadAsync(new byte[1]));
        return stream;
    }

    /// <summary>Small buffers on both ends, so a 4 MiB write cannot fit and pends until the client reads.</summary>
    private static void NarrowWindow(Socket server, Socket client)
    {
        server.SendBufferSize = 4096;
        client.ReceiveBufferSize = 64 * 1024;
    }

    private static async Task<string> ReceiveAsync(Socket socket, int count) =>
        Encoding.ASCII.GetString(await ReceiveBytesAsync(socket, count));

    private static async Task<byte[]> ReceiveBytesAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (var read = 0; read < count;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(n > 0, "the connection closed early");
            read += n;
        }

        return buffer;
    }

    /// <summary>Stands for Kestrel's upgraded request stream: reads what the test queues, records what is written.</summary>
    private sealed class KestrelSide : Stream
    {
        public Channel<byte[]> Incoming { get; } = Channel.CreateUnbounded<byte[]>();

        public MemoryStream Written { get; } = new();

        public int Flushes { get; private set; }

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var bytes = await Incoming.Reader.ReadAsync(cancellationToken);
            bytes.CopyTo(buffer);
            return bytes.Length;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Task.CompletedTask;
        }

        public override void Flush() => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private sealed class Upgrade(bool upgradable, Stream? stream = null) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => upgradable;

        public Task<Stream> UpgradeAsync() => Task.FromResult(stream ?? Stream.Null);
    }

    private sealed class SocketFeature(Socket socket) : IConnectionSocketFeature
    {
        public Socket Socket => socket;
    }
}
