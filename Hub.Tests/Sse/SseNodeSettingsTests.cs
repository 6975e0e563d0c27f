using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Sse;

/// <summary>Heartbeats, CORS and connection counting, on an embedded node with short heartbeats and one allowed origin.</summary>
public sealed class SseNodeSettingsTests : IAsyncLifetime
{
    private const string Portal = "http://portal.example";
    private HubNode _node = null!;

    public async Task InitializeAsync() => _node = await HubNode.StartAsync(null, new Dictionary<string, string?>
    {
        ["Sse:Heartbeat"] = "00:00:00.200",
        ["Sse:EnrichmentHeartbeat"] = "00:00:00.400",
        ["Cors:Origins:0"] = Portal,
    });

    public Task DisposeAsync() => _node.DisposeAsync().AsTask();

    [Theory]
    [InlineData("/api/batches/{0}/stream")]
    [InlineData("/api/enrichment/stream/{0}")]
    public async Task A_silent_stream_carries_comment_heartbeats(string route)
    {
        // Heartbeats come every 200-400 ms here; a loaded machine may stretch that, so read until two arrive.
        var raw = await SseTestClient.ReadRawAsync(
            _node, string.Format(System.Globalization.CultureInfo.InvariantCulture, route, Unique.Id()), TimeSpan.FromSeconds(15),
            enough: text => text.Split(": keepalive\n\n").Length - 1 >= 2);
        var heartbeats = raw.Split(": keepalive\n\n").Length - 1;
        Assert.True(heartbeats >= 2, $"Expected two heartbeats within 15 s, got {heartbeats}: {raw}");
    }

    [Fact]
    public async Task A_configured_origin_may_read_streams_with_credentials_and_another_may_not()
    {
        var path = $"/api/batches/{Unique.Id()}/stream";
        await using (var allowed = await SseTestClient.OpenAsync(_node, path, origin: Portal))
        {
            Assert.Equal(Portal, string.Join(",", allowed.Response.Headers.GetValues("Access-Control-Allow-Origin")));
            Assert.Equal("true", string.Join(",", allowed.Response.Headers.GetValues("Access-Control-Allow-Credentials")));
        }

        await using var other = await SseTestClient.OpenAsync(_node, path, origin: "http://elsewhere.example");
        Assert.False(other.Response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Sse_and_websocket_connections_are_counted_by_transport()
    {
        var counts = new Dictionary<string, long>();
        var scope = _node.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == scope && instrument.Name == "realtimehub.connections")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, delta, tags, _) =>
        {
            var transport = tags.ToArray().Single(t => t.Key == "transport").Value as string ?? "?";
            lock (counts)
            {
                counts[transport] = counts.GetValueOrDefault(transport) + delta;
            }
        });
        listener.Start();
        long Count(string transport)
        {
            lock (counts)
            {
                return counts.GetValueOrDefault(transport);
            }
        }

        await using (var stream = await SseTestClient.OpenAsync(_node, $"/api/sse?topic=bom:{Unique.Id()}"))
        {
            Assert.Equal(HttpStatusCode.OK, stream.Status);
            await Eventually.HoldsAsync(() => Count("sse") == 1, "the SSE stream is counted");
            await using var hub = _node.CreateConnection();
            await hub.StartAsync();
            await Eventually.HoldsAsync(() => Count("websocket") == 1, "the WebSocket connection is counted");
        }

        await Eventually.HoldsAsync(() => Count("sse") == 0 && Count("websocket") == 0, "both are uncounted once closed");
    }
}
