using System.Text.Json.Serialization;

namespace RealtimeHub.Contracts.Publishing;

/// <summary>The 202 answer to a batch publish: the stored ids, in the order of the request's items.</summary>
public sealed record BatchPublishAccepted([property: JsonPropertyName("ids")] IReadOnlyList<string> Ids);
