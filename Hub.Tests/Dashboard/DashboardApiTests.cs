using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Dashboard;

/// <summary>The page's files and the two reads it makes: <c>GET /api/topics</c> and <c>GET /api/stats</c>.</summary>
public sealed class DashboardApiTests
{
    [Fact]
    public async Task The_page_its_script_and_styles_are_served_by_the_hub_itself()
    {
        await using var node = await HubNode.StartAsync(null);

        using var page = await node.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("dashboard/dashboard.js", html, StringComparison.Ordinal);
        Assert.Contains("dashboard/dashboard.css", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http", html.Replace("http-equiv", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        foreach (var (file, type) in new[] { ("dashboard.js", "text/javascript"), ("dashboard.css", "text/css"), ("probe.js", "text/javascript") })
        {
            using var asset = await node.Http.GetAsync($"/dashboard/{file}");
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal(type, asset.Content.Headers.ContentType?.MediaType);

            // Revalidation by ETag: an unchanged file costs a 304, and a new deployment is seen at once.
            using var again = new HttpRequestMessage(HttpMethod.Get, $"/dashboard/{file}");
            again.Headers.IfNoneMatch.Add(asset.Headers.ETag!);
            using var notModified = await node.Http.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        using var missing = await node.Http.GetAsync("/dashboard/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Topics_lists_the_most_recently_active_topics_with_their_latest_event()
    {
        await using var node = await HubNode.StartAsync(null);
        var bom = $"bom:{Unique.Id()}";
        var batch = $"batch:{Unique.Id()}";
        await PublishAsync(node, bom, EventTypes.EnrichmentStarted, SampleData.BomEvent("b", EventTypes.EnrichmentStarted, 0));
        await PublishAsync(node, batch, EventTypes.BatchProgress, SampleData.BatchProgress(10, "uploading"));
        var latest = await PublishAsync(node, bom, EventTypes.EnrichmentProgress, SampleData.BomProgress("b", 40));

        var topics = await TopicsAsync(node.Http, "/api/topics");

        Assert.Equal([bom, batch], topics.Select(t => t.GetProperty("topic").GetString()));
        Assert.Equal(["bom", "batch"], topics.Select(t => t.GetProperty("family").GetString()));
        var bomLatest = topics[0].GetProperty("latest");
        Assert.Equal(latest, bomLatest.GetProperty("id").GetString());
        Assert.Equal(EventTypes.EnrichmentProgress, bomLatest.GetProperty("type").GetString());
        Assert.Equal(40, bomLatest.GetProperty("data").GetProperty("state").GetProperty("percent_complete").GetDouble());
    }

    [Fact]
    public async Task Topics_forgets_topics_quiet_for_longer_than_the_active_window_and_keeps_to_its_maximum()
    {
        // The clock is moved past the window rather than waited on, so the topics published next are
        // well inside it however slowly a loaded machine publishes them.
        var clock = new ShiftedClock();
        await using var node = await HubNode.StartAsync(
            null,
            new Dictionary<string, string?>
            {
                ["Dashboard:ActiveWindow"] = "00:01:00",
                ["Dashboard:MaxTopics"] = "2",
            },
            services => services.AddSingleton<TimeProvider>(clock));
        var old = $"batch:{Unique.Id()}";
        await PublishAsync(node, old, EventTypes.BatchProgress, SampleData.BatchProgress(10, "uploading"));
        Assert.Equal([old], (await TopicsAsync(node.Http, "/api/topics")).Select(t => t.GetProperty("topic").GetString()));

        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Empty(await TopicsAsync(node.Http, "/api/topics"));

        var topics = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            topics.Add($"batch:{Unique.Id()}");
            await PublishAsync(node, topics[^1], EventTypes.BatchProgress, SampleData.BatchProgress(10, "uploading"));
        }

        var listed = await TopicsAsync(node.Http, "/api/topics");
        Assert.Equal([topics[2], topics[1]], listed.Select(t => t.GetProperty("topic").GetString()));
    }

    [Fact]
    public async Task With_auth_on_the_page_and_its_reads_need_a_token_and_list_only_topics_the_token_may_read()
    {
        await using var node = await HubNode.StartAsync(null, TestTokens.AuthSettings());
        var bom = $"bom:{Unique.Id()}";
        var batch = $"batch:{Unique.Id()}";
        using (var publisher = ApiKeyClient(node))
        {
            foreach (var (topic, type, data) in new (string, string, object)[]
            {
                (bom, EventTypes.EnrichmentStarted, SampleData.BomEvent("b", EventTypes.EnrichmentStarted, 0)),
                (batch, EventTypes.BatchProgress, SampleData.BatchProgress(5, "uploading")),
            })
            {
                using var response = await publisher.PostAsync(
                    new Uri($"/api/topics/{Uri.EscapeDataString(topic)}/events", UriKind.Relative),
                    JsonContent(new { type, data }));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }
        }

        foreach (var path in new[] { "/", "/api/topics", "/api/stats" })
        {
            using var anonymous = await node.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        var reader = TestTokens.Create("reader", topics: ["bom:*"]);
        using (var page = await node.Http.GetAsync($"/?access_token={reader}"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        var granted = await TopicsAsync(node.Http, $"/api/topics?access_token={reader}");
        Assert.Contains(bom, granted.Select(t => t.GetProperty("topic").GetString()));
        Assert.DoesNotContain(batch, granted.Select(t => t.GetProperty("topic").GetString()));

        var admin = TestTokens.Create("operator", roles: ["admin"]);
        var everything = await TopicsAsync(node.Http, $"/api/topics?access_token={admin}");
        Assert.Contains(batch, everything.Select(t => t.GetProperty("topic").GetString()));

        // The script and styles carry no data and load without one.
        using var script = await node.Http.GetAsync("/dashboard/dashboard.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task Stats_counts_this_nodes_open_connections_by_transport()
    {
        await using var node = await HubNode.StartAsync(null);
        Assert.Equal(new Dictionary<string, long> { ["websocket"] = 0, ["sse"] = 0, ["long_polling"] = 0 }, await ConnectionsAsync(node));

        await using var webSocket = new HubConnectionBuilder()
            .WithUrl(new Uri(node.BaseAddress, HubRoutes.ProgressHub), HttpTransportType.WebSockets).Build();
        await using var longPolling = new HubConnectionBuilder()
            .WithUrl(new Uri(node.BaseAddress, HubRoutes.ProgressHub), HttpTransportType.LongPolling).Build();
        await webSocket.StartAsync();
        await longPolling.StartAsync();
        await using (var sse = await SseTestClient.OpenAsync(node, $"/api/sse?topic=bom:{Unique.Id()}"))
        {
            await Eventually.HoldsAsync(
                async () => (await ConnectionsAsync(node)) is { } c && c["websocket"] == 1 && c["long_polling"] == 1 && c["sse"] == 1,
                "one connection of each transport is counted");
        }

        await webSocket.StopAsync();
        await Eventually.HoldsAsync(
            async () => (await ConnectionsAsync(node)) is { } c && c["websocket"] == 0 && c["sse"] == 0 && c["long_polling"] == 1,
            "closed connections are no longer counted");
    }

    [Fact]
    public async Task Behind_a_load_balancer_every_node_on_the_same_redis_lists_the_same_topics()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var nodeA = await HubNode.StartAsync(redis.ConnectionString);
        await using var nodeB = await HubNode.StartAsync(redis.ConnectionString);
        var onA = $"bom:{Unique.Id()}";
        var onB = $"batch:{Unique.Id()}";
        var firstOnA = await PublishAsync(nodeA, onA, EventTypes.EnrichmentStarted, SampleData.BomEvent("b", EventTypes.EnrichmentStarted, 0));

        // Topics are listed by the time of their latest event in milliseconds; two publishes in the same
        // millisecond would tie, and a tie lists by name. The second one must come in a later millisecond.
        var firstAt = HubEventId.Parse(firstOnA).Milliseconds;
        while (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() <= firstAt + 1)
        {
            await Task.Yield();
        }

        var latestOnB = await PublishAsync(nodeB, onB, EventTypes.BatchProgress, SampleData.BatchProgress(20, "uploading"));

        foreach (var node in new[] { nodeA, nodeB })
        {
            await Eventually.HoldsAsync(
                async () => (await TopicsAsync(node.Http, "/api/topics")).Select(t => t.GetProperty("topic").GetString()).SequenceEqual([onB, onA]),
                $"{node.BaseAddress} lists the topics published on both nodes");
            var listed = await TopicsAsync(node.Http, "/api/topics");
            Assert.Equal(latestOnB, listed[0].GetProperty("latest").GetProperty("id").GetString());
            Assert.Equal("cluster", (await GetJsonAsync(node.Http, "/api/topics")).GetProperty("scope").GetString());
        }
    }

    private static async Task<string> PublishAsync(HubNode node, string topic, string type, object data)
    {
        using var response = await node.PublishAsync(topic, type, data);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<List<JsonElement>> TopicsAsync(HttpClient http, string path) =>
        [.. (await GetJsonAsync(http, path)).GetProperty("topics").EnumerateArray()];

    private static async Task<Dictionary<string, long>> ConnectionsAsync(HubNode node) =>
        (await GetJsonAsync(node.Http, "/api/stats")).GetProperty("connections").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static HttpClient ApiKeyClient(HubNode node)
    {
        var client = new HttpClient { BaseAddress = node.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", TestTokens.ApiKey);
        return client;
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
