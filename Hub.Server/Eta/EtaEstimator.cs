using System.Text.Json;
using System.Text.Json.Nodes;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Payloads;
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
        var at = PayloadRules.For(topic.Family).Progress;
        if (Find(data, at.Percent) is not { ValueKind: JsonValueKind.Number } found)
        {
            return null;
        }

        var percent = found.GetDouble();
        var start = await clocks.GetOrStartAsync(topic, Job(data, at), now, percent, cancellationToken);
        var wantsEta = type == at.EtaEventType && !EventTypes.IsTerminal(topic.Family, type, data);
        if (!wantsEta || Find(data, at.Eta) is { ValueKind: not JsonValueKind.Null })
        {
            return null;
        }

        double eta;
        var elapsed = (now - start.At).TotalSeconds;
        var gained = percent - start.Percent;
        if (percent >= 100)
        {
            eta = 0;
        }
        else if (elapsed > 0 && gained > 0)
        {
            eta = Math.Round(elapsed * (100 - percent) / gained, 1);
        }
        else
        {
            return null;
        }

        var root = JsonNode.Parse(data.GetRawText())!.AsObject();
        var path = at.Eta.Split('.');
        var owner = path[..^1].Aggregate(root, (obj, name) => obj[name]!.AsObject());
        owner[path[^1]] = eta;
        return root.ToJsonString();
    }

    /// <summary>The job whose rate is measured: per part, the first of its fields given as text.</summary>
    private static string Job(JsonElement data, PayloadProgress at) =>
        string.Join('|', at.Job.Select(part => part.Select(field => Find(data, field))
            .FirstOrDefault(value => value is { ValueKind: JsonValueKind.String })?.GetString() ?? string.Empty));

    /// <summary>The value at a dotted path through nested objects; null when some step is missing.</summary>
    private static JsonElement? Find(JsonElement data, string path)
    {
        var value = data;
        foreach (var name in path.Split('.'))
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value))
            {
                return null;
            }
        }

        return value;
    }
}
