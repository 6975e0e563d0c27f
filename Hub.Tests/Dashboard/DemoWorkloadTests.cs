using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Dashboard;
using RealtimeHub.Server.Demo;
using RealtimeHub.Server.History;
using RealtimeHub.Tests.Bridge;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Dashboard;

/// <summary>
/// The demo workloads: simulated jobs of the three products in the products' own stages and payload shapes,
/// published through the same path as real publishers, some failing, and never a danger to the host.
/// </summary>
public sealed class DemoWorkloadTests
{
    private static readonly string[] Families = ["merchant", "bom", "batch"];

    private static readonly string[] BomEnvelopeFields =
    [
        "event_id", "event_type", "routing_key", "bom_id", "organization_id", "project_id", "user_id", "source",
        "workflow_id", "workflow_run_id", "created_at",
    ];

    private static readonly string[] MerchantStages = ["ai_parsing", "database_save", "shopify_sync"];

    private static readonly string[] BatchStages =
    [
        "uploading", "extracting", "organizing_qr", "processing_sheets", "collecting_results",
        "generating_csv", "loading_database", "cleanup", "completed",
    ];

    [Fact]
    public async Task Demo_jobs_of_every_product_complete_or_fail_in_the_seeds_shapes_with_ids_and_etas_from_the_hub()
    {
        await using var node = await HubNode.StartAsync(null, DemoSettings.Fast());
        var history = node.Services.GetRequiredService<IEventHistory>();
        var active = node.Services.GetRequiredService<IActiveTopics>();
        Dictionary<string, List<EventEnvelope>> jobs = [];

        await Eventually.HoldsAsync(
            async () =>
            {
                jobs = await JobsAsync(active, history);
                return Families.All(family =>
                    jobs.Any(j => j.Key.StartsWith(family, StringComparison.Ordinal) && Outcome(j.Value) == "completed")
                    && jobs.Any(j => j.Key.StartsWith(family, StringComparison.Ordinal) && Outcome(j.Value) == "failed"));
            },
            "each product has a completed and a failed demo job",
            TimeSpan.FromSeconds(60));

        // PO sync: the three stages in order, each opened by a stage event, on merchant:{id}.
        var po = jobs.First(j => j.Key.StartsWith("merchant", StringComparison.Ordinal) && Outcome(j.Value) == "completed").Value;
        Assert.Equal(MerchantStages, po.Where(e => e.Type == EventTypes.MerchantStage).Select(e => Text(e.Data, "stage")));
        Assert.All(po, e => Assert.NotNull(Text(e.Data, "workflowId")));
        Assert.Contains(po, e => e.Type == EventTypes.MerchantProgress && e.Data.TryGetProperty("etaSeconds", out _));
        var poFailure = jobs.First(j => j.Key.StartsWith("merchant", StringComparison.Ordinal) && Outcome(j.Value) == "failed").Value[^1];
        Assert.Equal(EventTypes.MerchantError, poFailure.Type);
        Assert.False(string.IsNullOrEmpty(Text(poFailure.Data, "error")));

        // BOM enrichment: started, one progress per batch with the enrichment service's envelope, completed.
        var bom = jobs.First(j => j.Key.StartsWith("bom", StringComparison.Ordinal) && Outcome(j.Value) == "completed").Value;
        Assert.Equal(EventTypes.EnrichmentStarted, bom[0].Type);
        var batches = bom.Where(e => e.Type == EventTypes.EnrichmentProgress).Select(e => e.Data.GetProperty("state")).ToList();
        Assert.Equal(Enumerable.Range(1, batches.Count), batches.Select(s => s.GetProperty("current_batch").GetInt32()));
        Assert.Equal(batches[0].GetProperty("total_batches").GetInt32(), batches.Count);
        Assert.Contains(batches, s => s.TryGetProperty("estimated_time_remaining", out _));
        foreach (var field in BomEnvelopeFields)
        {
            Assert.All(bom, e => Assert.True(e.Data.TryGetProperty(field, out _), $"{e.Type} carries {field}"));
        }

        Assert.Equal(100, bom[^1].Data.GetProperty("state").GetProperty("percent_complete").GetDouble());
        Assert.Equal(EventTypes.EnrichmentFailed, jobs.First(j => j.Key.StartsWith("bom", StringComparison.Ordinal) && Outcome(j.Value) == "failed").Value[^1].Type);

        // OMR batch: the batch pipeline's stages in order, with sheet counts and a stage percentage.
        var batch = jobs.First(j => j.Key.StartsWith("batch", StringComparison.Ordinal) && Outcome(j.Value) == "completed").Value;
        Assert.Equal(BatchStages, batch.Select(e => Text(e.Data, "stage")).Distinct());
        Assert.All(batch, e => Assert.InRange(e.Data.GetProperty("progress_percentage").GetDouble(), 0, 100));
        var sheets = batch[^1].Data.GetProperty("sheets_total").GetInt32();
        Assert.Equal(sheets, batch[^1].Data.GetProperty("sheets_processed").GetInt32());
        Assert.Contains(batch, e => e.Data.TryGetProperty("eta_seconds", out _));

        // Ids are the hub's: ordered within each topic.
        Assert.All(jobs.Values, events => Assert.Equal(events.Select(e => HubEventId.Parse(e.Id)).Order(), events.Select(e => HubEventId.Parse(e.Id))));
    }

    [Fact]
    public async Task Demo_runs_at_most_the_configured_number_of_jobs_at_once()
    {
        var settings = DemoSettings.Fast();
        settings["Demo:MaxConcurrentJobs"] = "2";
        settings["Demo:Speed"] = "2";
        await using var node = await HubNode.StartAsync(null, settings);
        var history = node.Services.GetRequiredService<IEventHistory>();
        var active = node.Services.GetRequiredService<IActiveTopics>();

        await Eventually.HoldsAsync(async () => (await JobsAsync(active, history)).Count >= 2, "two jobs start");

        // A job every 50 ms would have started dozens by now; the bound holds them to two until one ends.
        var started = await JobsAsync(active, history);
        Assert.True(started.Count(j => Outcome(j.Value) == "running") <= 2, $"Running at once: {string.Join(", ", started.Keys)}");
    }

    [Fact]
    public async Task Demo_stops_promptly_when_the_host_stops()
    {
        var settings = DemoSettings.Fast();
        settings["Demo:Speed"] = "0.1"; // the slowest allowed: each job has minutes of pauses left, which the stop must cut short
        await using var node = await HubNode.StartAsync(null, settings);
        var demo = node.Services.GetServices<IHostedService>().OfType<DemoWorkloads>().Single();
        var active = node.Services.GetRequiredService<IActiveTopics>();
        await Eventually.HoldsAsync(async () => (await active.RecentAsync(DateTimeOffset.MinValue, 10, default)).Count > 0, "a demo job publishes");

        // The host waits for the demo until the deadline and then gives up on it; a demo that sat out its
        // jobs' pauses would still be running then. The deadline is far below a job's length, not a speed test.
        var stopping = Stopwatch.StartNew();
        await node.StopAsync(TimeSpan.FromSeconds(30));
        Assert.True(demo.ExecuteTask is { IsCompletedSuccessfully: true }, $"The demo was still running when the host stopped after {stopping.Elapsed}.");
    }

    [Fact]
    public async Task Demo_survives_a_Redis_outage_logs_it_once_and_publishes_again_when_Redis_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        var logs = new LogCapture();
        await using var node = await HubNode.StartAsync(redis.ConnectionString, DemoSettings.Fast(), services => services.AddSingleton<ILoggerProvider>(logs));
        await Eventually.HoldsAsync(async () => (await TopicsAsync(node)).Count > 0, "demo jobs publish");

        await redis.StopAsync();
        await Eventually.HoldsAsync(
            () => logs.Of<DemoWorkloads>(2).Count > 0, "the demo logs that it cannot publish", TimeSpan.FromSeconds(30));
        await Eventually.HoldsAsync(
            async () => (await node.Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable, "readiness sees the outage");

        var restarted = DateTimeOffset.UtcNow;
        await redis.StartAgainAsync();
        await Eventually.HoldsAsync(
            async () => (await TopicsAsync(node)).Any(t => t.GetProperty("lastActivity").GetDateTimeOffset() >= restarted),
            "demo jobs publish again after Redis returns",
            TimeSpan.FromSeconds(30));

        Assert.Single(logs.Of<DemoWorkloads>(2));
        Assert.Empty(logs.Of<DemoWorkloads>(4));
        using var live = await node.Http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Theory]
    [InlineData("Development", null, true)]
    [InlineData("Production", null, false)]
    [InlineData("Staging", null, false)]
    [InlineData("Development", "false", false)]
    [InlineData("Production", "true", true)]
    public void Demo_is_on_by_default_only_in_Development(string environment, string? setting, bool enabled)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Demo:Enabled"] = setting }).Build();
        using var provider = new ServiceCollection()
            .AddSingleton<IHostEnvironment>(new Environment(environment))
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddDemoWorkloads(configuration)
            .BuildServiceProvider();

        Assert.Equal(enabled, provider.GetRequiredService<IOptions<DemoOptions>>().Value.Enabled);
    }

    [Theory]
    [InlineData("Demo:Speed", "0", "Demo:Speed")]
    [InlineData("Demo:JobInterval", "00:00:00", "Demo:JobInterval")]
    [InlineData("Demo:MaxConcurrentJobs", "0", "Demo:MaxConcurrentJobs")]
    [InlineData("Demo:FailureRate", "1.5", "Demo:FailureRate")]
    [InlineData("Dashboard:MaxTopics", "0", "Dashboard:MaxTopics")]
    [InlineData("Dashboard:RefreshInterval", "00:00:00", "Dashboard:RefreshInterval")]
    public async Task A_bad_demo_or_dashboard_setting_stops_the_start_and_names_the_setting(string key, string value, string named)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => HubNode.StartAsync(null, new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    /// <summary>The demo's jobs so far: merchant topics split per PO (a merchant syncs one PO after another).</summary>
    private static async Task<Dictionary<string, List<EventEnvelope>>> JobsAsync(IActiveTopics active, IEventHistory history)
    {
        var jobs = new Dictionary<string, List<EventEnvelope>>(StringComparer.Ordinal);
        foreach (var topic in await active.RecentAsync(DateTimeOffset.MinValue, 1000, default))
        {
            var events = (await history.ReadAsync(topic.Topic, new HubEventId(0, 0), default)).Events;
            if (topic.Topic.Family == TopicFamily.Merchant)
            {
                foreach (var po in events.GroupBy(e => Text(e.Data, "poId")))
                {
                    jobs[$"{topic.Topic}/{po.Key}"] = [.. po];
                }
            }
            else
            {
                jobs[topic.Topic.ToString()] = [.. events];
            }
        }

        return jobs;
    }

    private static string Outcome(List<EventEnvelope> events)
    {
        var last = events[^1];
        return last.Type switch
        {
            EventTypes.MerchantError or EventTypes.EnrichmentFailed => "failed",
            EventTypes.EnrichmentCompleted => "completed",
            EventTypes.MerchantCompletion when Text(last.Data, "stage") == "shopify_sync" => "completed",
            EventTypes.BatchProgress when Text(last.Data, "stage") is "completed" or "failed" => Text(last.Data, "stage")!,
            _ => "running",
        };
    }

    private static async Task<List<JsonElement>> TopicsAsync(HubNode node)
    {
        using var response = await node.Http.GetAsync("/api/topics");
        return response.IsSuccessStatusCode
            ? [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("topics").Clone().EnumerateArray()]
            : [];
    }

    private static string? Text(JsonElement data, string field) =>
        data.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "Hub.Tests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
