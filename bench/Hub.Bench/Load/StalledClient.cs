using System.Net;
using RealtimeHub.Bench.Accounting;

namespace RealtimeHub.Bench.Load;

/// <summary>
/// A subscriber that connects and subscribes as a healthy one does, over a socket of its own with a small
/// receive buffer, and then never reads it again: the hub's writes to it back up.
/// </summary>
internal sealed class StalledClient : ILoadClient
{
    /// <summary><c>SO_RCVBUF</c> of a stalled subscriber's socket (Linux doubles it), so its window closes after a few KiB.</summary>
    public const int ReceiveBufferBytes = 4096;

    private readonly SocketsHttpHandler _handler;
    private readonly ILoadClient _client;
    private StallableStream? _stream;

    /// <param name="sources">Source addresses to bind the socket to.</param>
    /// <param name="connectTimeout">Time allowed for the TCP connect.</param>
    /// <param name="create">Makes the subscriber itself over the handler given, which opens the stalling socket.</param>
    /// <summary>Never raised: a stalled client is probed at the end instead.</summary>
    public event Action<ILoadClient>? ClosedByServer
    {
        add { }
        remove { }
    }

    public StalledClient(IReadOnlyList<IPAddress> sources, TimeSpan connectTimeout, Func<SocketsHttpHandler, ILoadClient> create)
    {
        _handler = LoopbackClient.CreateHandler(sources, connectTimeout, ReceiveBufferBytes, stream => _stream = new StallableStream(stream));
        _client = create(_handler);
    }

    public string Transport => _client.Transport;

    public ClientAccount Account => _client.Account;

    public TimeSpan ConnectTime => _client.ConnectTime;

    /// <summary>True once it has subscribed and stopped reading.</summary>
    public bool Stalled { get; private set; }

    /// <summary>Connects and subscribes (the SSE <c>retry:</c> line, or <c>Subscribe</c> returning), then stops reading.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _client.ConnectAsync(cancellationToken);
        _stream!.Stall();
        Stalled = true;
    }

    /// <summary>Whether the hub closed the connection: see <see cref="StallableStream.ProbeAsync"/>. Null when it never subscribed.</summary>
    public async Task<StallProbe?> ProbeAsync(TimeSpan quiet, TimeSpan limit) =>
        Stalled && _stream is { } stream ? await stream.ProbeAsync(quiet, limit) : null;

    public void Drop() => _client.Drop();

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        _handler.Dispose();
    }
}
