using System.Text.Json.Serialization;
using MessagePack;

namespace RealtimeHub.Contracts.Payloads.Bom;

/// <summary>The progress state of a BOM enrichment, the enrichment portal's <c>EnrichmentProgressState</c>.</summary>
[MessagePackObject]
public sealed record BomEnrichmentState
{
    /// <summary><c>enriching</c>, <c>completed</c> or <c>failed</c>.</summary>
    [Key("status")]
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    /// <summary>Line items in the BOM.</summary>
    [Key("total_items")]
    [JsonPropertyName("total_items")]
    public long? TotalItems { get; init; }

    /// <summary>Line items enriched.</summary>
    [Key("enriched_items")]
    [JsonPropertyName("enriched_items")]
    public long? EnrichedItems { get; init; }

    /// <summary>Line items that failed.</summary>
    [Key("failed_items")]
    [JsonPropertyName("failed_items")]
    public long? FailedItems { get; init; }

    /// <summary>Line items not yet processed.</summary>
    [Key("pending_items")]
    [JsonPropertyName("pending_items")]
    public long? PendingItems { get; init; }

    /// <summary>The batch in progress.</summary>
    [Key("current_batch")]
    [JsonPropertyName("current_batch")]
    public long? CurrentBatch { get; init; }

    /// <summary>Batches in all.</summary>
    [Key("total_batches")]
    [JsonPropertyName("total_batches")]
    public long? TotalBatches { get; init; }

    /// <summary>Overall progress, 0 to 100.</summary>
    [Key("percent_complete")]
    [JsonPropertyName("percent_complete")]
    public double? PercentComplete { get; init; }

    /// <summary>ISO 8601 start time.</summary>
    [Key("started_at")]
    [JsonPropertyName("started_at")]
    public string? StartedAt { get; init; }

    /// <summary>ISO 8601 completion time.</summary>
    [Key("completed_at")]
    [JsonPropertyName("completed_at")]
    public string? CompletedAt { get; init; }

    /// <summary>ISO 8601 time of this update.</summary>
    [Key("last_update")]
    [JsonPropertyName("last_update")]
    public string? LastUpdate { get; init; }

    /// <summary>The item being worked on.</summary>
    [Key("current_item")]
    [JsonPropertyName("current_item")]
    public BomCurrentItem? CurrentItem { get; init; }

    /// <summary>Seconds left; the hub fills it from the observed rate when the publisher leaves it out.</summary>
    [Key("estimated_time_remaining")]
    [JsonPropertyName("estimated_time_remaining")]
    public double? EstimatedTimeRemaining { get; init; }
}
