using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Dashboard;

/// <summary>
/// The dashboard at <c>/</c> in real headless Chromium, on a node running the demo workloads fast:
/// what a newcomer sees is jobs of the three products moving, finishing and failing, live.
/// </summary>
public sealed class DashboardPageTests
{
    [Fact]
    public async Task The_page_shows_jobs_completing_and_failing_live_with_connection_counts_by_transport()
    {
        await using var node = await HubNode.StartAsync(null, DemoSettings.Fast());

        // One SignalR client per other transport, so the page has non-zero counts to show for them.
        await using var webSocket = Connect(node, HttpTransportType.WebSockets);
        await using var longPolling = Connect(node, HttpTransportType.LongPolling);
        await webSocket.StartAsync();
        await longPolling.StartAsync();

        var screenshot = Path.Combine(RepositoryRoot.Path, "artifacts", "screenshots", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        var result = await HeadlessBrowser.RunPageAsync(new Uri(node.BaseAddress, "/?test=1"), TimeSpan.FromSeconds(60), screenshot);

        var bars = result.GetProperty("bars").EnumerateArray().ToList();
        var completed = bars.Where(b => b.GetProperty("status").GetString() == "completed").ToList();
        Assert.NotEmpty(completed);
        Assert.All(completed, b => Assert.Equal(100, b.GetProperty("percent").GetInt32()));
        Assert.All(completed, b => Assert.Equal("Completed", b.GetProperty("statusText").GetString()));

        var failed = bars.Where(b => b.GetProperty("status").GetString() == "failed").ToList();
        Assert.NotEmpty(failed);
        Assert.All(failed, b => Assert.Equal("Failed", b.GetProperty("statusText").GetString()));
        Assert.All(failed, b => Assert.True(b.GetProperty("percent").GetInt32() < 100, "A failed job's bar stops short of 100 %."));

        var transports = result.GetProperty("transports");
        Assert.True(Count(transports, "websocket") >= 1, $"WebSocket count shown: {transports}");
        Assert.True(Count(transports, "long_polling") >= 1, $"Long polling count shown: {transports}");
        Assert.True(Count(transports, "sse") >= 1, $"SSE count shown (the page's own stream): {transports}");
        Assert.Equal("live", result.GetProperty("state").GetString());
        Assert.True(result.GetProperty("logEntries").GetInt32() > 0, "The event log shows the events that arrived live.");
        Assert.True(File.Exists(screenshot), "The run keeps a screenshot.");
    }

    [Fact]
    public async Task With_auth_on_the_page_passes_its_access_token_on_to_every_read_and_its_stream()
    {
        var settings = DemoSettings.Fast();
        foreach (var (key, value) in TestTokens.AuthSettings())
        {
            settings[key] = value;
        }

        await using var node = await HubNode.StartAsync(null, settings);
        var admin = TestTokens.Create("operator", roles: ["admin"]);

        var result = await HeadlessBrowser.RunPageAsync(new Uri(node.BaseAddress, $"/?test=1&access_token={admin}"), TimeSpan.FromSeconds(60));

        Assert.Equal("live", result.GetProperty("state").GetString());
        Assert.NotEmpty(result.GetProperty("failed").EnumerateArray());
        Assert.True(Count(result.GetProperty("transports"), "sse") >= 1);
    }

    private static HubConnection Connect(HubNode node, HttpTransportType transport) =>
        new HubConnectionBuilder().WithUrl(new Uri(node.BaseAddress, HubRoutes.ProgressHub), transport).Build();

    private static int Count(JsonElement transports, string name) =>
        int.Parse(transports.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);
}
