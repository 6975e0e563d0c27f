using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Metrics;

/// <summary>
/// <c>GET /metrics</c> (docs/contract.md, Health and metrics) in Prometheus text. Other nodes run in the same test process and the
/// exporter sums every node's instruments of the same name, so the scrape is read only for its series and
/// format; a node's values are read from its own meter (<see cref="NodeMetrics"/>).
/// </summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private HubNode _node = null!;

    public async Task InitializeAsync() => _node = await HubNode.StartAsync(null);

    public Task DisposeAsync() => _node.DisposeAsync().AsTask();

    [Fact]
    public async Task A_fresh_node_shows_every_series_of_the_contract_at_zero()
    {
        var text = await ScrapeAsync(_node.Http);

        Assert.NotEmpty(Series(text, "realtimehub_events_accepted_total", ("family", "merchant")));
        Assert.NotEmpty(Series(text, "realtimehub_replays_served_total", ("route", "sse")));
        Assert.NotEmpty(Series(text, "realtimehub_bridge_rejected_total", ("reason", "not_json")));
        Assert.NotEmpty(Series(text, "realtimehub_gaps_total", ("outcome", "filled")));
        Assert.NotEmpty(Series(text, "realtimehub_gaps_total", ("outcome", "lost")));

        foreach (var transport in new[] { "websocket", "sse", "long_polling" })
        {
            Assert.Contains(Series(text, "realtimehub_connections", ("transport", transport)), _ => true);
            Assert.Contains(Series(text, "realtimehub_slow_consumers_closed_total", ("transport", transport)), _ => true);
        }

        Assert.NotEmpty(Series(text, "realtimehub_deliveries_total", ("transport", "sse"), ("kind", "live")));
        Assert.NotEmpty(Series(text, "realtimehub_deliveries_total", ("transport", "sse"), ("kind", "replay")));
    }

    [Fact]
    public async Task Events_deliveries_latency_replays_and_the_asp_net_core_meters_are_exported()
    {
        // The node's own instruments: /metrics adds up every node alive in the test process.
        using var metrics = new NodeMetrics(_node);
        var topic = $"bom:{Unique.Id()}";
        await using var hub = _node.CreateConnection();
        await hub.StartAsync();
        await using var stream = await SseTestClient.OpenAsync(_node, $"/api/sse?topic={topic}");

        (await _node.PublishAsync(topic, EventTypes.EnrichmentStarted, new { })).EnsureSuccessStatusCode();
        var first = await stream.NextAsync();
        (await _node.PublishAsync(topic, EventTypes.EnrichmentStarted, new { })).EnsureSuccessStatusCode();
        await stream.NextAsync();

        // A resume from the first event is a replay served from history, and its delivery is a replay.
        await using var resumed = await SseTestClient.OpenAsync(_node, $"/api/sse?topic={topic}", lastEventId: first.EventId);
        await resumed.NextAsync();

        await Eventually.HoldsAsync(() => metrics.Sum("realtimehub.events.accepted", ("family", "bom")) == 2, "two bom events are counted as accepted");
        await Eventually.HoldsAsync(
            () => metrics.Sum("realtimehub.deliveries", ("transport", "sse"), ("kind", "live")) == 2, "two live SSE deliveries are counted");
        await Eventually.HoldsAsync(
            () => metrics.Sum("realtimehub.deliveries", ("transport", "sse"), ("kind", "replay")) == 1, "one replayed SSE delivery is counted");
        await Eventually.HoldsAsync(
            () => metrics.Count("realtimehub.delivery.latency", ("transport", "sse")) == 2, "the two live deliveries' latencies are recorded");
        await Eventually.HoldsAsync(() => metrics.Sum("realtimehub.replays.served", ("route", "sse")) == 1, "one SSE replay is counted");
        await Eventually.HoldsAsync(() => metrics.Sum("realtimehub.connections", ("transport", "sse")) == 2, "both SSE streams are counted open");
        await Eventually.HoldsAsync(
            () => metrics.Sum("realtimehub.connections", ("transport", "websocket")) == 1, "the WebSocket connection is counted open");
        Assert.Equal(0, metrics.Sum("realtimehub.events.accepted", ("family", "batch")));
        Assert.Equal(0, metrics.Sum("realtimehub.connections", ("transport", "long_polling")));

        // The exporter shows those instruments as Prometheus series; their values may include other nodes'.
        var text = await ScrapeAsync(_node.Http);
        Assert.NotEmpty(Series(text, "realtimehub_events_accepted_total", ("family", "bom")));
        Assert.NotEmpty(Series(text, "realtimehub_deliveries_total", ("transport", "sse"), ("kind", "live")));
        Assert.NotEmpty(Series(text, "realtimehub_deliveries_total", ("transport", "sse"), ("kind", "replay")));
        Assert.NotEmpty(Series(text, "realtimehub_delivery_latency_seconds_count", ("transport", "sse")));
        Assert.NotEmpty(Series(text, "realtimehub_delivery_latency_seconds_bucket", ("le", "0.01")));
        Assert.NotEmpty(Series(text, "realtimehub_replays_served_total", ("route", "sse")));
        Assert.NotEmpty(Series(text, "realtimehub_connections", ("transport", "sse")));
        Assert.NotEmpty(Series(text, "realtimehub_connections", ("transport", "websocket")));

        // ASP.NET Core's own meters: hosting, Kestrel and SignalR's connections.
        Assert.NotEmpty(Series(text, "http_server_request_duration_seconds_count"));
        Assert.NotEmpty(Series(text, "kestrel_active_connections"));
        Assert.NotEmpty(Series(text, "signalr_server_active_connections"));
    }

    [Fact]
    public async Task With_auth_on_an_anonymous_scrape_is_refused_unless_allowed_and_an_api_key_may_scrape()
    {
        var closed = TestTokens.AuthSettings();
        closed["Metrics:AllowAnonymous"] = "false";
        await using var node = await HubNode.StartAsync(null, closed);

        var anonymous = await node.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var reader = TestTokens.Create("reader", topics: ["bom:*"]);
        using var asReader = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        asReader.Headers.Authorization = new AuthenticationHeaderValue("Bearer", reader);
        Assert.Equal(HttpStatusCode.Forbidden, (await node.Http.SendAsync(asReader)).StatusCode);

        using var withKey = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        withKey.Headers.Add("X-Api-Key", TestTokens.ApiKey);
        var scraped = await node.Http.SendAsync(withKey);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("realtimehub_connections", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // In Development the default lets anonymous scrapers in, auth on or not.
        await using var open = await HubNode.StartAsync(null, TestTokens.AuthSettings());
        Assert.Equal(HttpStatusCode.OK, (await open.Http.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
    }

    private static async Task<string> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The values of <paramref name="name"/>'s samples whose labels include every pair given.</summary>
    private static List<double> Series(string text, string name, params (string Label, string Value)[] labels) =>
        [.. text.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(line => labels.All(l => line.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))];
}
