using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Delivery;

/// <summary>
/// The byte limit holds on every transport: a WebSocket client whose socket stops reading (negotiated,
/// on SignalR's layer, or not, on the hub's own), a long-polling client that stops polling and a
/// server-sent-events client whose socket stops reading are cut off and counted, and a healthy member
/// of the same topic gets everything meanwhile. The stalled long-polling and server-sent-events clients
/// speak SignalR's HTTP protocol directly, so nothing on their side reads what the hub sends.
/// </summary>
public sealed class StalledTransportTests : IAsyncLifetime
{
    // 32 KB per event, 6.4 MB in all: past the 1 MiB limit, the transport's pipe and a loopback socket's buffers.
    private const int Events = 200;
    private static readonly string Padding = new('x', 32_000);

    private HubNode _node = null!;

    public async Task InitializeAsync() => _node = await HubNode.StartAsync(redis: null);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_long_polling_client_that_stops_polling_is_cut_off_without_holding_up_the_topic()
    {
        var topic = $"batch:{Unique.Id()}";
        var token = await NegotiateAsync();

        // The first poll starts the transport; the client then joins the topic and never polls again.
        using (var first = await _node.Http.GetAsync($"{HubRoutes.ProgressHub}?id={token}"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await SendAsync(token, Handshake + Subscribe(topic));
        await AssertCutOffAsync(topic, "long_polling", joined: async () =>
        {
            using var poll = await _node.Http.GetAsync($"{HubRoutes.ProgressHub}?id={token}");
            return Encoding.UTF8.GetString(await poll.Content.ReadAsByteArrayAsync()).Contains("\"type\":3", StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_server_sent_events_client_whose_socket_stops_reading_is_cut_off_without_holding_up_the_topic()
    {
        var topic = $"batch:{Unique.Id()}";
        var token = await NegotiateAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, _node.BaseAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET {HubRoutes.ProgressHub}?id={token} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"));

        await SendAsync(token, Handshake + Subscribe(topic));
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        await AssertCutOffAsync(topic, "sse", joined: async () =>
        {
            // Read only until the hub has answered Subscribe; from then on the socket is never read.
            var read = await socket.ReceiveAsync(buffer);
            seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
            return seen.ToString().Contains("\"type\":3", StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_WebSocket_client_whose_socket_stops_reading_is_cut_off_without_holding_up_the_topic(bool negotiate)
    {
        var topic = $"batch:{Unique.Id()}";
        await using var stalled = await StallableHubClient.ConnectAsync(_node, HubProtocol.Json, negotiate);
        await stalled.Connection.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), topic, null);
        stalled.Stall();
        await AssertCutOffAsync(topic, "websocket", joined: () => Task.FromResult(true));
        await Eventually.WithinAsync(stalled.Closed.ContinueWith(_ => true, TaskScheduler.Default), "the stalled client to see its connection closed");
    }

    private const string Handshake = "{\"protocol\":\"json\",\"version\":1}\u001e";

    private static string Subscribe(string topic) =>
        JsonSerializer.Serialize(new { type = 1, invocationId = "1", target = nameof(IProgressHub.Subscribe), arguments = new object?[] { topic, null } }) + "\u001e";

    /// <summary>Waits until the stalled client has joined, publishes past the limit, and checks the cut-off and the healthy member.</summary>
    private async Task AssertCutOffAsync(string topic, string transport, Func<Task<bool>> joined)
    {
        await Eventually.HoldsAsync(joined, "the stalled client's Subscribe is answered");
        using var metrics = new NodeMetrics(_node);
        await using var healthy = await HubClient.ConnectAsync(_node);
        await healthy.SubscribeAsync(topic);

        var ids = new List<string>(Events);
        for (var i = 0; i < Events; i++)
        {
            // At most 8 events (256 KB) ahead of the healthy member, so a busy machine cannot make it a slow consumer too.
            await Eventually.HoldsAsync(() => healthy.EventCount >= i - 8, "the healthy member keeps up");
            ids.Add(await _node.PublishOkAsync(topic, EventTypes.BatchProgress, new { stage = "processing", progress_percentage = i * 0.4, message = Padding }));
        }

        await Eventually.HoldsAsync(() => healthy.EventCount >= Events, "the healthy member has every event");
        Assert.Equal(ids, healthy.Events.Select(e => e.Id));
        await Eventually.HoldsAsync(
            () => metrics.Sum("realtimehub.slow_consumers.closed", ("transport", transport)) == 1, $"the stalled {transport} client is cut off");
        if (transport != "websocket")
        {
            // The healthy member (a WebSocket) was not cut off: for a stalled WebSocket the count of one says so.
            Assert.Equal(0, metrics.Sum("realtimehub.slow_consumers.closed", ("transport", "websocket")));
        }
    }

    private async Task<string> NegotiateAsync()
    {
        using var response = await _node.Http.PostAsync($"{HubRoutes.ProgressHub}/negotiate?negotiateVersion=1", content: null);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("connectionToken").GetString()!;
    }

    private async Task SendAsync(string token, string messages)
    {
        using var response = await _node.Http.PostAsync($"{HubRoutes.ProgressHub}?id={token}", new StringContent(messages, Encoding.UTF8, "text/plain"));
        response.EnsureSuccessStatusCode();
    }
}
