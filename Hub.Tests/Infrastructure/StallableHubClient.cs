using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// A real SignalR client on a real WebSocket whose socket stops being read when told to (a laptop lid
/// closed): its receive buffer is 4 KiB, so once it stalls the server's writes back up within a few
/// kilobytes of socket buffer, as they would for a client in a tunnel.
/// </summary>
public sealed class StallableHubClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<EventEnvelope> _events = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StallableWebSocket? _socket;

    private StallableHubClient(HubNode node, HubProtocol protocol, bool negotiate)
    {
        Connection = node.CreateConnection(protocol, builder => builder.Services.Configure<HttpConnectionOptions>(options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.WebSocketFactory = async (context, cancellationToken) =>
            {
                var socket = new ClientWebSocket();
                await socket.ConnectAsync(context.Uri, new HttpMessageInvoker(SmallReceiveBuffer()), cancellationToken);
                return _socket = new StallableWebSocket(socket);
            };
        }), negotiate);
        Connection.On<EventEnvelope>(nameof(IProgressClient.OnEvent), _events.Enqueue);
        Connection.Closed += _ =>
        {
            _closed.TrySetResult();
            return Task.CompletedTask;
        };
    }

    public HubConnection Connection { get; }

    /// <summary>The live events read before the stall (and after a resume).</summary>
    public IReadOnlyList<EventEnvelope> Events => [.. _events];

    /// <summary>Completes when the connection has closed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Connects over a WebSocket, negotiated (SignalR's HTTP connection layer) or not (the hub's own WebSocket transport).</summary>
    public static async Task<StallableHubClient> ConnectAsync(HubNode node, HubProtocol protocol, bool negotiate = true)
    {
        var client = new StallableHubClient(node, protocol, negotiate);
        await client.Connection.StartAsync();
        return client;
    }

    /// <summary>Stops reading the socket: nothing more is taken from the kernel's receive buffer.</summary>
    public void Stall() => _socket!.Stall();

    /// <summary>Reads the socket again.</summary>
    public void Resume() => _socket?.Resume();

    public async ValueTask DisposeAsync()
    {
        Resume();
        await Connection.DisposeAsync();
    }

    private static SocketsHttpHandler SmallReceiveBuffer() => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>The client's WebSocket, whose receives wait while stalled; sends go on (the client still pings).</summary>
    private sealed class StallableWebSocket(ClientWebSocket inner) : WebSocket
    {
        private TaskCompletionSource _running = Running();

        public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

        public override string? CloseStatusDescription => inner.CloseStatusDescription;

        public override WebSocketState State => inner.State;

        public override string? SubProtocol => inner.SubProtocol;

        public void Stall() => Volatile.Write(ref _running, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public void Resume() => Volatile.Read(ref _running).TrySetResult();

        public override void Abort() => inner.Abort();

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override void Dispose() => inner.Dispose();

        public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
        {
            await Volatile.Read(ref _running).Task.WaitAsync(cancellationToken);
            return await inner.ReceiveAsync(buffer, cancellationToken);
        }

        public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            await Volatile.Read(ref _running).Task.WaitAsync(cancellationToken);
            return await inner.ReceiveAsync(buffer, cancellationToken);
        }

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

        private static TaskCompletionSource Running()
        {
            var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            running.SetResult();
            return running;
        }
    }
}
