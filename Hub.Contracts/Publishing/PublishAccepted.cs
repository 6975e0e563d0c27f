using System.Text.Json.Serialization;

namespace RealtimeHub.Contracts.Publishing;

/// <summary>The 202 answer to a single publish: the id the event was stored under.</summary>
public sealed record PublishAccepted([property: JsonPropertyName("id")] string Id);
