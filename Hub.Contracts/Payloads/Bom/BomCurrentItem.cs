using System.Text.Json.Serialization;
using MessagePack;

namespace RealtimeHub.Contracts.Payloads.Bom;

/// <summary>The line item an enrichment is working on (as the enrichment portal shows it).</summary>
[MessagePackObject]
public sealed record BomCurrentItem
{
    /// <summary>The manufacturer part number.</summary>
    [Key("mpn")]
    [JsonPropertyName("mpn")]
    public string? Mpn { get; init; }

    /// <summary><c>processing</c>, <c>enriched</c> or <c>error</c>.</summary>
    [Key("status")]
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    /// <summary>A human-readable message.</summary>
    [Key("message")]
    [JsonPropertyName("message")]
    public string? Message { get; init; }
}
