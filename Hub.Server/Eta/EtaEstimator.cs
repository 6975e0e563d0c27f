using System.Text.Json;
using System.Text.Json.Nodes;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.Eta;

/// <summary>
/// Fills the ETA of progress events that lack one from the rate observed since the job's first
/// event (docs/contract.md, Events). A publisher's own value always wins.
/// </summary>
internal sealed class EtaEstimator(IJobClocks clocks)
{
    /// <summary>
    /// Records the job's first sighting and, for a progress event without an ETA, returns the data
    /// with one written in; returns null when the data stays as published.
    /// </summary>
    public async Task<string?> FillAsync(Topic topic, string type, JsonElement data, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (Locate(topic.Family, type, data) is not { } progress)
        {
            return null;
        }

        var start = await clocks.GetOrStartAsync(topic, progress.Job, now, progress.Percent, cancellationToken);
        if (!progress.WantsEta || HasValue(progress.Owner(data), progress.EtaField))
        {
            return null;
        }

        double eta;
        var elapsed = (now - start.At).TotalSeconds;
        var gained = progress.Percent - start.Percent;
        if (progress.Percent >= 100)
        {
            eta = 0;
        }
        else if (elapsed > 0 && gained > 0)
        {
            eta = Math.Round(elapsed * (100 - progress.Percent) / gained, 1);
        }
        else
        {
            return null;
        }

        var root = JsonNode.Parse(data.GetRawText())!.AsObject();
        var owner = progress.EtaInState ? root["state"]!.AsObject() : root;
        owner[progress.EtaField] = eta;
        return root.ToJsonString();
    }

    /// <summary>Where a family keeps its percentage, its ETA and the identity of the job.</summary>
    private static Progress? Locate(TopicFamily family, string type, JsonElement data)
    {
        switch (family)
        {
            case TopicFamily.Merchant when Number(data, "progress") is { } percent:
                // Merchant percentages are per stage, so each stage of a workflow is its own job.
                var workflow = Text(data, "workflowId") ?? Text(data, "poId") ?? string.Empty;
                return new(percent, $"{workflow}|{Text(data, "stage")}", type == EventTypes.MerchantProgress, "etaSeconds", false);
            case TopicFamily.Bom when data.TryGetProperty("state", out var state) && Number(state, "percent_complete") is { } percent:
                var run = Text(data, "workflow_run_id") ?? Text(data, "workflow_id") ?? string.Empty;
                return new(percent, run, type == EventTypes.EnrichmentProgress, "estimated_time_remaining", true);
            case TopicFamily.Batch when Number(data, "progress_percentage") is { } percent:
                // progress_percentage is per stage, as the batch pipeline reports it.
                var stage = Text(data, "stage") ?? string.Empty;
                return new(percent, stage, stage is not ("completed" or "failed"), "eta_seconds", false);
            default:
                return null;
        }
    }

    private static bool HasValue(JsonElement owner, string field) =>
        owner.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null;

    private static double? Number(JsonElement obj, string field) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : null;

    private static string? Text(JsonElement obj, string field) =>
        obj.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed record Progress(double Percent, string Job, bool WantsEta, string EtaField, bool EtaInState)
    {
        public JsonElement Owner(JsonElement data) => EtaInState ? data.GetProperty("state") : data;
    }
}
