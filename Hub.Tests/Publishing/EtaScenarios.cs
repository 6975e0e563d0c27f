using System.Text.Json;
using System.Text.Json.Nodes;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Publishing;

/// <summary>
/// The hub fills a missing ETA from the rate observed since the job's first event and keeps a
/// publisher's own (docs/contract.md, Events), run against the embedded default and against real Redis.
/// </summary>
public abstract class EtaScenarios(ScenarioNodes nodes)
{
    public static TheoryData<string> Families => ["bom", "merchant", "batch"];

    private HubNode Node => nodes.Node;

    [Theory]
    [MemberData(nameof(Families))]
    public async Task A_progress_event_without_an_eta_gets_one_from_the_rate_since_the_jobs_first_event(string family)
    {
        var job = JobOf(family);
        var first = await Node.PublishOkAsync(job.Topic, job.Type, job.Data(10, null));
        nodes.Clock.Advance(TimeSpan.FromSeconds(20));
        var second = await Node.PublishOkAsync(job.Topic, job.Type, job.Data(30, null));

        var stored = await Node.ReadAsync(job.Topic, first);

        // 20 % in 20 s leaves 70 % for about 70 s; the real time between the two calls adds a little.
        var eta = job.Eta(Assert.Single(stored, e => e.Id == second).Data);
        Assert.NotNull(eta);
        Assert.InRange(eta.Value, 70, 75);
        Assert.Null(job.Eta(Assert.Single(await Node.ReadAllAsync(job.Topic), e => e.Id == first).Data));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task A_publishers_own_eta_is_kept_unchanged(string family)
    {
        var job = JobOf(family);
        await Node.PublishOkAsync(job.Topic, job.Type, job.Data(10, null));
        nodes.Clock.Advance(TimeSpan.FromSeconds(20));
        await Node.PublishOkAsync(job.Topic, job.Type, job.Data(30, 999.5));

        var latest = Assert.Single(await Node.ReadAsync(job.Topic));

        Assert.Equal(999.5, job.Eta(latest.Data));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task A_progress_event_at_100_percent_gets_an_eta_of_zero(string family)
    {
        var job = JobOf(family);
        await Node.PublishOkAsync(job.Topic, job.Type, job.Data(40, null));
        nodes.Clock.Advance(TimeSpan.FromSeconds(5));
        await Node.PublishOkAsync(job.Topic, job.Type, job.Data(100, null));

        var latest = Assert.Single(await Node.ReadAsync(job.Topic));

        Assert.Equal(0, job.Eta(latest.Data));
    }

    private static Job JobOf(string family) => family switch
    {
        "bom" => new(
            Topic.Bom(Unique.Id()).ToString(),
            EventTypes.EnrichmentProgress,
            (percent, eta) => new JsonObject
            {
                ["event_type"] = EventTypes.EnrichmentProgress,
                ["workflow_run_id"] = "run-1",
                ["state"] = With(new JsonObject { ["status"] = "enriching", ["percent_complete"] = percent }, "estimated_time_remaining", eta),
            },
            data => Seconds(data.GetProperty("state"), "estimated_time_remaining")),
        "merchant" => new(
            Topic.Merchant(Unique.Id()).ToString(),
            EventTypes.MerchantProgress,
            (percent, eta) => With(new JsonObject { ["workflowId"] = "wf-1", ["stage"] = "ai_parsing", ["progress"] = percent }, "etaSeconds", eta),
            data => Seconds(data, "etaSeconds")),
        _ => new(
            Topic.Batch(Unique.Id()).ToString(),
            EventTypes.BatchProgress,
            (percent, eta) => With(new JsonObject { ["stage"] = "processing", ["progress_percentage"] = percent }, "eta_seconds", eta),
            data => Seconds(data, "eta_seconds")),
    };

    private static JsonObject With(JsonObject data, string field, double? eta)
    {
        if (eta is not null)
        {
            data[field] = eta;
        }

        return data;
    }

    private static double? Seconds(JsonElement owner, string field) =>
        owner.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    /// <summary>One progressing job of a family: its topic and type, its data at a percentage, and where its ETA is read.</summary>
    private sealed record Job(string Topic, string Type, Func<double, double?, JsonObject> Data, Func<JsonElement, double?> Eta);
}

[Collection(EmbeddedNodesDefinition.Name)]
public sealed class EmbeddedEtaScenarios(EmbeddedNodes nodes) : EtaScenarios(nodes);

[Collection(RedisNodesDefinition.Name)]
public sealed class RedisEtaScenarios(RedisNodes nodes) : EtaScenarios(nodes);
