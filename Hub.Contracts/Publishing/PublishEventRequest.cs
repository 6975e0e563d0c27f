using System.Text.Json;
using System.Text.Json.Serialization;

namespace RealtimeHub.Contracts.Publishing;

/// <summary>The body of <c>POST /api/topics/{topic}/events</c>.</summary>
public record PublishEventRequest
{
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
