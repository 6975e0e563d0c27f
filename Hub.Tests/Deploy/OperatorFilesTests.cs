using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Deploy;

/// <summary>
/// The operators' files: <c>deploy/prometheus/alerts.yml</c> passes <c>promtool check rules</c>, and every
/// series the rules and <c>deploy/grafana/realtimehub.json</c> query is one a real node exports at
/// <c>/metrics</c> once it has carried an event.
/// </summary>
public sealed partial class OperatorFilesTests
{
    private static readonly string Rules = Path.Combine(RepositoryRoot.Path, "deploy", "prometheus", "alerts.yml");
    private static readonly string Dashboard = Path.Combine(RepositoryRoot.Path, "deploy", "grafana", "realtimehub.json");

    // PromQL words that are neither metrics nor functions (functions are told by the "(" after them).
    private static readonly HashSet<string> Keywords =
        ["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan"];

    [Fact]
    public async Task Promtool_accepts_the_alerting_rules()
    {
        var (exitCode, output) = await RunAsync("promtool", "check", "rules", Rules);

        Assert.True(exitCode == 0, output);
        Assert.Contains($"SUCCESS: {RuleExpressions().Count} rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dashboard_and_the_rules_cover_what_operators_watch()
    {
        var panels = string.Join('\n', DashboardExpressions());
        foreach (var series in new[]
        {
            "realtimehub_connections", "realtimehub_events_accepted_total", "realtimehub_deliveries_total", "realtimehub_replays_served_total",
            "realtimehub_bridge_rejected_total", "realtimehub_slow_consumers_closed_total", "realtimehub_gaps_total", "realtimehub_ready",
        })
        {
            Assert.Contains(series, panels, StringComparison.Ordinal);
        }

        Assert.Contains("histogram_quantile(0.99, sum by (le) (rate(realtimehub_delivery_latency_seconds_bucket", panels, StringComparison.Ordinal);
        Assert.Contains("sum by (instance, transport) (realtimehub_connections", panels, StringComparison.Ordinal);

        var alerts = AlertNames().Order().ToList();
        Assert.Equal(
            ["RealtimeHubBridgeRejectionsRising", "RealtimeHubDeliveryLatencyHigh", "RealtimeHubNoEventsAccepted", "RealtimeHubNotReady", "RealtimeHubSlowConsumersCutOff"],
            alerts);
    }

    [Fact]
    public async Task Every_series_the_dashboard_and_the_rules_query_is_exported_by_a_node()
    {
        await using var node = await HubNode.StartAsync(null);
        var topic = $"batch:{Unique.Id()}";

        // One live SSE delivery makes the latency histogram appear; the publish makes ASP.NET Core's request series.
        await using (var stream = await SseTestClient.OpenAsync(node, $"/api/sse?topic={topic}"))
        {
            (await node.PublishAsync(topic, EventTypes.BatchProgress, new { stage = "processing", progress_percentage = 5 })).EnsureSuccessStatusCode();
            await stream.NextAsync();
        }

        await Eventually.HoldsAsync(async () => (await ExportedSeriesAsync(node)).Contains("realtimehub_ready"), "the readiness gauge is exported");

        var queried = DashboardExpressions().Concat(RuleExpressions()).SelectMany(SeriesIn).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("realtimehub_delivery_latency_seconds_bucket", queried);
        Assert.Contains("http_server_request_duration_seconds_count", queried);
        var exported = await ExportedSeriesAsync(node);
        Assert.All(queried, series => Assert.True(exported.Contains(series), $"{series} is queried but {MetricsRoute} does not export it"));
    }

    [Fact]
    public void Series_names_are_read_from_promql_without_functions_labels_or_durations()
    {
        Assert.Equal(
            ["realtimehub_delivery_latency_seconds_bucket"],
            SeriesIn("""histogram_quantile(0.99, sum by (instance, le) (rate(realtimehub_delivery_latency_seconds_bucket{instance=~"$instance", a="b(c)"}[$__rate_interval]))) > 1"""));
        Assert.Equal(
            ["http_server_request_duration_seconds_count", "realtimehub_events_accepted_total"],
            SeriesIn("""sum(rate(http_server_request_duration_seconds_count{http_route=~"/api/events"}[10m])) > 0 and on() sum(rate(realtimehub_events_accepted_total[10m])) == 0"""));
        Assert.Equal(["realtimehub_connections"], SeriesIn("label_values(realtimehub_connections, instance)"));
    }

    private const string MetricsRoute = "/metrics";

    /// <summary>The metric names in a PromQL expression (or a Grafana label_values query).</summary>
    private static List<string> SeriesIn(string expression)
    {
        var text = StringLiteral().Replace(expression, " ");
        text = Braces().Replace(text, " ");
        text = Brackets().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        if (LabelValues().Match(text) is { Success: true } query)
        {
            text = query.Groups[1].Value;
        }

        return [.. Identifier().Matches(text)
            .Where(m => !Keywords.Contains(m.Value) && !text[(m.Index + m.Length)..].TrimStart().StartsWith('('))
            .Select(m => m.Value)
            .Distinct()
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The sample names a node's scrape holds (histograms as their _bucket, _sum and _count).</summary>
    private static async Task<HashSet<string>> ExportedSeriesAsync(HubNode node)
    {
        using var response = await node.Http.GetAsync(new Uri(MetricsRoute, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        return [.. lines.Where(line => line.Length > 0 && line[0] != '#').Select(line => line[..line.IndexOfAny(['{', ' '])])];
    }

    private static List<string> DashboardExpressions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Dashboard));
        var found = new List<string>();
        Collect(document.RootElement, found);
        return found;

        static void Collect(JsonElement element, List<string> found)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name is "expr" or "definition" && property.Value.ValueKind == JsonValueKind.String)
                        {
                            found.Add(property.Value.GetString()!);
                        }
                        else
                        {
                            Collect(property.Value, found);
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item, found);
                    }

                    break;
            }
        }
    }

    private static List<string> RuleExpressions() =>
        [.. File.ReadLines(Rules).Select(line => line.Trim()).Where(line => line.StartsWith("expr: ", StringComparison.Ordinal)).Select(line => line["expr: ".Length..])];

    private static IEnumerable<string> AlertNames() =>
        File.ReadLines(Rules).Select(line => line.Trim()).Where(line => line.StartsWith("- alert: ", StringComparison.Ordinal)).Select(line => line["- alert: ".Length..]);

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{command} is not installed: run `bash test.sh`, which installs Debian's prometheus package.");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output + await error);
        }
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"^\s*label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"(?<![A-Za-z0-9_:.$])[A-Za-z_:][A-Za-z0-9_:]*")]
    private static partial Regex Identifier();
}
