using System.Text.Json.Serialization;
using MessagePack;

namespace RealtimeHub.Contracts.Payloads.Merchant;

/// <summary>Sub-stage progress of a PO parse: chunk <see cref="Current"/> of <see cref="Total"/> (as the PO sync front end shows it).</summary>
[MessagePackObject]
public sealed record ChunkProgress
{
    /// <summary>The chunk just processed, from 1.</summary>
    [Key("current")]
    [JsonPropertyName("current")]
    public long Current { get; init; }

    /// <summary>How many chunks the document has.</summary>
    [Key("total")]
    [JsonPropertyName("total")]
    public long Total { get; init; }
}
