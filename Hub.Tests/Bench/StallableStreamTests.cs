using System.Net.Sockets;
using RealtimeHub.Bench.Load;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Bench;

/// <summary>
/// The stalled subscribers' socket: once stalled it is not read any more, and the probe at the end tells a
/// connection the peer closed (after whatever was still waiting) from one that is merely quiet.
/// </summary>
public sealed class StallableStreamTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_connection_the_peer_closed_after_writing_is_closed_once_drained()
    {
        var (stream, peer) = await ConnectAsync();
        await using var _ = stream;
        stream.Stall();
        await peer.SendAsync(new byte[10_000]);
        peer.Shutdown(SocketShutdown.Both);
        peer.Dispose();

        var probe = await stream.ProbeAsync(Quiet, Limit);

        Assert.Equal(new StallProbe(true, 10_000), probe);
    }

    [Fact]
    public async Task A_connection_still_open_is_not_closed_though_data_waited()
    {
        var (stream, peer) = await ConnectAsync();
        await using var _ = stream;
        using var __ = peer;
        stream.Stall();
        await peer.SendAsync(new byte[3_000]);

        var probe = await stream.ProbeAsync(Quiet, Limit);

        Assert.Equal(new StallProbe(false, 3_000), probe);
    }

    [Fact]
    public async Task A_stalled_stream_reads_nothing_more_until_disposed()
    {
        var (stream, peer) = await ConnectAsync();
        using var _ = peer;
        await peer.SendAsync(new byte[100]);
        var buffer = new byte[1000];
        var first = await stream.ReadAsync(buffer);
        stream.Stall();
        await peer.SendAsync(new byte[100]);

        var read = stream.ReadAsync(buffer).AsTask();
        await Task.Delay(Quiet);
        Assert.False(read.IsCompleted);
        await stream.DisposeAsync();

        Assert.Equal(100, first);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => read);
    }

    private static async Task<(StallableStream Stream, Socket Peer)> ConnectAsync()
    {
        var (peer, client) = await LoopbackConnection.OpenAsync();
        return (new StallableStream(new NetworkStream(client, ownsSocket: true)), peer);
    }
}
