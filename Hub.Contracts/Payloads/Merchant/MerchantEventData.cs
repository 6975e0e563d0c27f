using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePack;

namespace RealtimeHub.Contracts.Payloads.Merchant;

/// <summary>
/// The data of a merchant PO sync event (<c>stage</c>, <c>progress</c>, <c>completion</c>, <c>error</c>),
/// with the PO sync workflows' field names. Fields a workflow adds beyond these land in <see cref="Extra"/>.
/// </summary>
[MessagePackObject]
public sealed record MerchantEventData
{
    /// <summary>The purchase order being processed.</summary>
    [Key("poId")]
    [JsonPropertyName("poId")]
    public string? PoId { get; init; }

    /// <summary>The workflow run.</summary>
    [Key("workflowId")]
    [JsonPropertyName("workflowId")]
    public string? WorkflowId { get; init; }

    /// <summary>The stage, for example <c>ai_parsing</c>, <c>database_save</c>, <c>shopify_sync</c>.</summary>
    [Key("stage")]
    [JsonPropertyName("stage")]
    public string? Stage { get; init; }

    /// <summary>The stage status, for example <c>started</c>.</summary>
    [Key("status")]
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    /// <summary>Progress of the stage, 0 to 100.</summary>
    [Key("progress")]
    [JsonPropertyName("progress")]
    public double? Progress { get; init; }

    /// <summary>A human-readable message.</summary>
    [Key("message")]
    [JsonPropertyName("message")]
    public string? Message { get; init; }

    /// <summary>Items done so far.</summary>
    [Key("itemsProcessed")]
    [JsonPropertyName("itemsProcessed")]
    public long? ItemsProcessed { get; init; }

    /// <summary>Items in all.</summary>
    [Key("totalItems")]
    [JsonPropertyName("totalItems")]
    public long? TotalItems { get; init; }

    /// <summary>Chunk progress of an AI parse.</summary>
    [Key("chunkProgress")]
    [JsonPropertyName("chunkProgress")]
    public ChunkProgress? ChunkProgress { get; init; }

    /// <summary>The error of an <c>error</c> event.</summary>
    [Key("error")]
    [JsonPropertyName("error")]
    public string? Error { get; init; }

    /// <summary>Seconds left in the stage; the hub fills it from the observed rate when a progress event lacks it.</summary>
    [Key("etaSeconds")]
    [JsonPropertyName("etaSeconds")]
    public double? EtaSeconds { get; init; }

    /// <summary>Any further fields (<c>lineItems</c>, <c>confidence</c>, <c>shopifyOrderId</c>, ...), kept as published.</summary>
    [IgnoreMember]
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
