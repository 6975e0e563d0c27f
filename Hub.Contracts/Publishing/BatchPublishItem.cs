using System.Text.Json;
using System.Text.Json.Serialization;

namespace RealtimeHub.Contracts.Publishing;

/// <summary>One item of the array posted to <c>POST /api/events</c>.</summary>
public sealed record BatchPublishItem
{
    /// <summary>The topic, for example <c>batch:7</c>.</summary>
    [JsonPropertyName("topic")]
    public string? Topic { get; init; }

    /// <summary>The event type; must be one the topic's family accepts.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>The product's payload, a JSON object.</summary>
    [JsonPropertyName("data")]
    public JsonElement Data { get; init; }

    /// <summary>A key that makes a retry return the first id instead of publishing twice.</summary>
    [JsonPropertyName("idempotencyKey")]
    public string? IdempotencyKey { get; init; }
}
