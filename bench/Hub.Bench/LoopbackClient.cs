using System.Net;
using System.Net.Sockets;

namespace RealtimeHub.Bench;

/// <summary>
/// An <see cref="HttpClient"/> whose connections come from several loopback source addresses in turn
/// (127.0.0.1, 127.0.0.2, ...), so the bench is not held to one address's ephemeral ports.
/// </summary>
internal static class LoopbackClient
{
    // Linux IP_BIND_ADDRESS_NO_PORT: choose the source port at connect time, from the whole 4-tuple.
    private const int IpProtocolLevel = 0;
    private const int IpBindAddressNoPort = 24;

    /// <summary>
    /// <paramref name="count"/> source addresses from the <paramref name="first"/>th on: 127.0.0.1, 127.0.0.2, ...,
    /// 127.0.0.254, 127.0.1.1, ... (addresses ending in 0 or 255 are left out).
    /// </summary>
    public static IPAddress[] SourceAddresses(int count, int first = 1) =>
        [.. Enumerable.Range(0, int.MaxValue)
            .Where(i => i % 256 is not (0 or 255))
            .Skip(first - 1)
            .Take(count)
            .Select(i => new IPAddress([127, 0, (byte)(i >> 8), (byte)(i & 0xFF)]))];

    /// <summary>A client with one HTTP/1.1 connection per request, bound round-robin to <paramref name="sources"/>.</summary>
    public static HttpClient Create(IReadOnlyList<IPAddress> sources, TimeSpan connectTimeout) =>
        new(CreateHandler(sources, connectTimeout)) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The handler of <see cref="Create"/>, also for WebSockets (<c>ClientWebSocket.ConnectAsync</c> with an invoker).</summary>
    /// <param name="sources">Source addresses, taken in turn.</param>
    /// <param name="connectTimeout">Time allowed for one TCP connect.</param>
    /// <param name="receiveBufferBytes">When given, the sockets' <c>SO_RCVBUF</c>, set before connecting so the advertised window follows it.</param>
    /// <param name="wrap">When given, turns each connected socket's stream into the one the handler uses.</param>
    public static SocketsHttpHandler CreateHandler(
        IReadOnlyList<IPAddress> sources, TimeSpan connectTimeout, int? receiveBufferBytes = null, Func<Stream, Stream>? wrap = null)
    {
        var next = -1;
        return new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            UseCookies = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var source = sources[(int)((uint)Interlocked.Increment(ref next) % (uint)sources.Count)];
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    if (OperatingSystem.IsLinux())
                    {
                        socket.SetRawSocketOption(IpProtocolLevel, IpBindAddressNoPort, BitConverter.GetBytes(1));
                    }

                    if (receiveBufferBytes is { } bytes)
                    {
                        socket.ReceiveBufferSize = bytes;
                    }

                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    var stream = new NetworkStream(socket, ownsSocket: true);
                    return wrap is null ? stream : wrap(stream);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
    }
}
