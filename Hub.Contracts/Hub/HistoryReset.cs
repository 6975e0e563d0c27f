using System.Text.Json.Serialization;
using MessagePack;

namespace RealtimeHub.Contracts.Hub;

/// <summary>Says that a resume asked for an id older than what the topic still retains.</summary>
[MessagePackObject]
public sealed record HistoryReset
{
    /// <summary>The topic resumed.</summary>
    [Key("topic")]
    [JsonPropertyName("topic")]
    public required string Topic { get; init; }

    /// <summary>The id the client asked to resume after.</summary>
    [Key("requestedId")]
    [JsonPropertyName("requestedId")]
    public required string RequestedId { get; init; }

    /// <summary>The oldest id still retained, or null when nothing is.</summary>
    [Key("oldestRetainedId")]
    [JsonPropertyName("oldestRetainedId")]
    public string? OldestRetainedId { get; init; }
}
