using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.WebSockets;

/// <summary>
/// The hub's own WebSocket transport, which serves every WebSocket opened without negotiating: what
/// SignalR's layer does for a WebSocket, it does too (both protocols, keep-alive pings, closing a silent
/// client, refusing bad credentials and bad handshakes, closing at shutdown), and a negotiated
/// connection still goes to SignalR's layer. The raw cases speak SignalR's JSON protocol over a real
/// <see cref="ClientWebSocket"/>.
/// </summary>
public sealed class HubWebSocketTransportTests : IAsyncLifetime
{
    private const string SignalRConnectionsMeter = "Microsoft.AspNetCore.Http.Connections";
    private const string SignalRActiveConnections = "signalr.server.active_connections";
    private const char RecordSeparator = '\u001e';

    private HubNode _node = null!;

    public async Task InitializeAsync() => _node = await HubNode.StartAsync(redis: null);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData(HubProtocol.Json)]
    [InlineData(HubProtocol.MessagePack)]
    public async Task A_WebSocket_without_negotiation_is_served_by_the_hub_and_a_negotiated_one_by_SignalR(HubProtocol protocol)
    {
        var topic = $"batch:{Unique.Id()}";
        using var signalR = new NodeMetrics(_node, SignalRConnectionsMeter);
        await using var direct = await HubClient.ConnectAsync(_node, protocol, negotiate: false);
        await direct.SubscribeAsync(topic);
        Assert.Equal(0, signalR.Sum(SignalRActiveConnections));

        await using var negotiated = await HubClient.ConnectAsync(_node, protocol, negotiate: true);
        await negotiated.SubscribeAsync(topic);
        await Eventually.HoldsAsync(() => signalR.Sum(SignalRActiveConnections) == 1, "SignalR's layer counts the negotiated connection only");

        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await _node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(i)));
        }

        await Eventually.HoldsAsync(() => direct.EventCount == 20 && negotiated.EventCount == 20, "both connections have every event");
        Assert.Equal(ids, direct.Events.Select(e => e.Id));
        Assert.Equal(ids, negotiated.Events.Select(e => e.Id));
    }

    [Theory]
    [InlineData(HubProtocol.Json)]
    [InlineData(HubProtocol.MessagePack)]
    public async Task Relayed_events_and_large_replies_sent_at_the_same_time_each_reach_the_client_whole(HubProtocol protocol)
    {
        // Relayed events are sent by the member's outbox, replies by the connection's send loop: a reply of
        // many pipe segments goes out while events keep coming, and neither may split the other.
        var live = $"batch:{Unique.Id()}";
        var stored = $"batch:{Unique.Id()}";
        var storedIds = await _node.PublishBatchProgressAsync(stored, 120);
        await using var client = await HubClient.ConnectAsync(_node, protocol);
        await client.SubscribeAsync(live);

        var liveIds = new List<string>();
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                liveIds.Add(await _node.PublishOkAsync(live, EventTypes.BatchProgress, SampleData.BatchProgress(i % 100)));
            }
        });

        var replies = 0;
        while (!publishing.IsCompleted)
        {
            var replayed = await client.SubscribeAsync(stored, storedIds[0]);
            Assert.Equal(storedIds.Skip(1), replayed.Select(e => e.Id));
            replies++;
        }

        await publishing;
        await Eventually.HoldsAsync(() => client.EventCount == liveIds.Count, "every live event arrives");
        Assert.Equal(liveIds, client.Events.Select(e => e.Id));
        Assert.True(replies > 1, $"replies were sent while events were relayed ({replies})");
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
    }

    [Fact]
    public async Task A_client_that_asks_for_stateful_reconnect_gets_it_from_SignalRs_layer_and_its_events()
    {
        using (var negotiated = await _node.Http.PostAsync($"{HubRoutes.ProgressHub}/negotiate?negotiateVersion=1&useStatefulReconnect=true", content: null))
        {
            negotiated.EnsureSuccessStatusCode();
            using var body = JsonDocument.Parse(await negotiated.Content.ReadAsStringAsync());
            Assert.True(body.RootElement.GetProperty("useStatefulReconnect").GetBoolean(), "the hub allows stateful reconnect");
        }

        var topic = $"batch:{Unique.Id()}";
        using var signalR = new NodeMetrics(_node, SignalRConnectionsMeter);
        await using var connection = _node.CreateConnection(configure: builder => builder.WithStatefulReconnect());
        var received = new ConcurrentQueue<string>();
        connection.On<EventEnvelope>(nameof(IProgressClient.OnEvent), envelope => received.Enqueue(envelope.Id));
        await connection.StartAsync();
        await connection.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), topic, null);
        await Eventually.HoldsAsync(() => signalR.Sum(SignalRActiveConnections) == 1, "SignalR's layer serves the negotiated connection");

        var id = await _node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(1));
        await Eventually.HoldsAsync(() => received.Contains(id), "the event arrives");
    }

    [Fact]
    public async Task An_idle_connection_is_pinged_and_one_whose_client_stops_pinging_is_closed()
    {
        using var socket = await OpenAsync();
        await SendAsync(socket, "{\"protocol\":\"json\",\"version\":1}");
        Assert.Equal("{}", await ReceiveAsync(socket));

        // SignalR's keep-alive (every 15 s) comes from the node's heartbeat, not from anything the client sends.
        Assert.Equal("{\"type\":6}", await Eventually.WithinAsync(ReceiveAsync(socket), "a keep-alive ping", TimeSpan.FromSeconds(60)));

        // A client that has pinged once is expected to go on pinging (SignalR starts its client timeout at
        // the first ping); this one falls silent, and past the client timeout (30 s) the hub closes it.
        await SendAsync(socket, "{\"type\":6}");
        var closed = await Eventually.WithinAsync(DrainUntilClosedAsync(socket), "the silent client to be closed", TimeSpan.FromSeconds(90));
        Assert.True(closed, "the hub closed the connection");
    }

    [Theory]
    [InlineData("{\"protocol\":\"smoke-signals\",\"version\":1}", "smoke-signals")]
    [InlineData("{\"type\":1,\"target\":\"Subscribe\",\"arguments\":[\"batch:x\"]}", "handshake")]
    public async Task A_bad_handshake_is_answered_with_an_error_and_the_socket_is_closed(string handshake, string mentioned)
    {
        using var socket = await OpenAsync();
        await SendAsync(socket, handshake);

        var answer = await Eventually.WithinAsync(ReceiveAsync(socket), "the handshake's answer");
        using var error = JsonDocument.Parse(answer);
        Assert.Contains(mentioned, error.RootElement.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.True(await Eventually.WithinAsync(DrainUntilClosedAsync(socket), "the socket to close"), "the hub closed the connection");
    }

    [Fact]
    public async Task A_client_that_never_answers_the_hubs_close_frame_is_cut_off_after_the_close_timeout()
    {
        // A WebSocket spoken by hand over TCP, so nothing answers the close frame the way a WebSocket client would.
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await tcp.ConnectAsync(_node.BaseAddress.Host, _node.BaseAddress.Port);
        await tcp.SendAsync(Encoding.ASCII.GetBytes(
            $"GET {HubRoutes.ProgressHub} HTTP/1.1\r\nHost: {_node.BaseAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var reader = new RawFrameReader(tcp);
        Assert.StartsWith("HTTP/1.1 101", await Eventually.WithinAsync(reader.ReadHeadAsync(), "the upgrade's answer"), StringComparison.Ordinal);

        // A bad handshake ends the hub's side: it answers with an error, then its close frame.
        await tcp.SendAsync(MaskedTextFrame("{\"protocol\":\"smoke-signals\",\"version\":1}" + RecordSeparator));
        var (opcode, payload) = await Eventually.WithinAsync(reader.ReadFrameAsync(), "the handshake's answer");
        Assert.Equal(0x1, opcode);
        Assert.Contains("smoke-signals", Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
        (opcode, _) = await Eventually.WithinAsync(reader.ReadFrameAsync(), "the hub's close frame");
        Assert.Equal(0x8, opcode);

        // Unanswered, the connection is cut once the close timeout (5 s) has passed.
        Assert.True(await Eventually.WithinAsync(reader.ReadUntilClosedAsync(), "the hub to cut the connection", TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task A_WebSocket_with_a_bad_token_is_refused_with_401_before_the_upgrade()
    {
        await using var node = await HubNode.StartAsync(redis: null, TestTokens.AuthSettings());
        using var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
        var url = WebSocketUrl(node, "?access_token=not.a.token");
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(url, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);

        using var good = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
        var token = TestTokens.Create("ann", topics: ["batch:*"]);
        await good.ConnectAsync(WebSocketUrl(node, $"?access_token={Uri.EscapeDataString(token)}"), CancellationToken.None);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, good.HttpStatusCode);
    }

    [Fact]
    public async Task A_stopping_node_closes_its_WebSockets_so_their_clients_can_go_elsewhere()
    {
        var node = await HubNode.StartAsync(redis: null);
        await using (node)
        {
            await using var client = await HubClient.ConnectAsync(node);
            await client.SubscribeAsync($"batch:{Unique.Id()}");
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            client.Connection.Closed += _ =>
            {
                closed.TrySetResult();
                return Task.CompletedTask;
            };

            // The host would otherwise wait for the open request until its shutdown timeout, then cut it.
            await node.StopAsync(TimeSpan.FromSeconds(30));
            await Eventually.WithinAsync(closed.Task.ContinueWith(_ => true, TaskScheduler.Default), "the client to see its connection closed");
        }
    }

    private async Task<ClientWebSocket> OpenAsync()
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(WebSocketUrl(_node, string.Empty), CancellationToken.None);
        return socket;
    }

    private static Uri WebSocketUrl(HubNode node, string query) =>
        new($"ws://{node.BaseAddress.Authority}{HubRoutes.ProgressHub}{query}");

    private static Task SendAsync(ClientWebSocket socket, string message) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>Reads one record (SignalR's JSON protocol ends each with 0x1E); text frames may carry several, this test's never do.</summary>
    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"The hub closed the socket; read so far: {text}");
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, received.Count));
            if (received.EndOfMessage)
            {
                return text.ToString().TrimEnd(RecordSeparator);
            }
        }
    }

    /// <summary>Reads and drops pings until the hub closes the socket (a close frame, or the connection cut).</summary>
    private static async Task<bool> DrainUntilClosedAsync(ClientWebSocket socket)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }
            }
        }
        catch (WebSocketException)
        {
            return true;
        }
    }

    /// <summary>One final text frame from a client: masked, as RFC 6455 requires (with a zero mask, which leaves the payload as it is).</summary>
    private static byte[] MaskedTextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        Assert.True(payload.Length < 126, "a short frame");
        return [0x81, (byte)(0x80 | payload.Length), 0, 0, 0, 0, .. payload];
    }

    /// <summary>Reads an HTTP head, then unmasked frames of up to 64 KiB, from a raw socket.</summary>
    private sealed class RawFrameReader(Socket socket)
    {
        private readonly List<byte> _buffered = [];

        public async Task<string> ReadHeadAsync()
        {
            while (true)
            {
                var text = Encoding.ASCII.GetString([.. _buffered]);
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    _buffered.RemoveRange(0, end + 4);
                    return text[..end];
                }

                Assert.True(await FillAsync(), "the connection closed before the head ended");
            }
        }

        public async Task<(int Opcode, byte[] Payload)> ReadFrameAsync()
        {
            await NeedAsync(2);
            var opcode = _buffered[0] & 0x0F;
            var length = _buffered[1] & 0x7F;
            var header = 2;
            if (length == 126)
            {
                await NeedAsync(4);
                length = (_buffered[2] << 8) | _buffered[3];
                header = 4;
            }

            await NeedAsync(header + length);
            var payload = _buffered.GetRange(header, length).ToArray();
            _buffered.RemoveRange(0, header + length);
            return (opcode, payload);
        }

        /// <summary>True once the peer has closed or reset the connection.</summary>
        public async Task<bool> ReadUntilClosedAsync()
        {
            try
            {
                while (await FillAsync())
                {
                }
            }
            catch (SocketException)
            {
                // Reset: closed too.
            }

            return true;
        }

        private async Task NeedAsync(int count)
        {
            while (_buffered.Count < count)
            {
                Assert.True(await FillAsync(), "the connection closed inside a frame");
            }
        }

        private async Task<bool> FillAsync()
        {
            var chunk = new byte[4096];
            var read = await socket.ReceiveAsync(chunk);
            _buffered.AddRange(chunk.AsSpan(0, read));
            return read > 0;
        }
    }
}
