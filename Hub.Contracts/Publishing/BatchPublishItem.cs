using System.Text.Json.Serialization;

namespace RealtimeHub.Contracts.Publishing;

/// <summary>One item of the array posted to <c>POST /api/events</c>: a single publish plus its topic.</summary>
public sealed record BatchPublishItem : PublishEventRequest
{
    /// <summary>The topic, for example <c>batch:7</c>.</summary>
    [JsonPropertyName("topic")]
    public string? Topic { get; init; }
}
