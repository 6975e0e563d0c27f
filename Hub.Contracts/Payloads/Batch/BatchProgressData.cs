using System.Text.Json.Serialization;
using MessagePack;

namespace RealtimeHub.Contracts.Payloads.Batch;

/// <summary>The data of a <c>batch.progress</c> event, with the OMR batch pipeline's fields.</summary>
[MessagePackObject]
public sealed record BatchProgressData
{
    /// <summary>The stage, <c>uploading</c> through <c>completed</c> or <c>failed</c>.</summary>
    [Key("stage")]
    [JsonPropertyName("stage")]
    public string? Stage { get; init; }

    /// <summary>A human-readable message.</summary>
    [Key("message")]
    [JsonPropertyName("message")]
    public string? Message { get; init; }

    /// <summary>Progress of the current stage, 0 to 100.</summary>
    [Key("progress_percentage")]
    [JsonPropertyName("progress_percentage")]
    public double? ProgressPercentage { get; init; }

    /// <summary>Sheets in the batch.</summary>
    [Key("sheets_total")]
    [JsonPropertyName("sheets_total")]
    public long? SheetsTotal { get; init; }

    /// <summary>Sheets processed so far.</summary>
    [Key("sheets_processed")]
    [JsonPropertyName("sheets_processed")]
    public long? SheetsProcessed { get; init; }

    /// <summary>Seconds since the stage started.</summary>
    [Key("elapsed_seconds")]
    [JsonPropertyName("elapsed_seconds")]
    public double? ElapsedSeconds { get; init; }

    /// <summary>ISO 8601 time of the report.</summary>
    [Key("timestamp")]
    [JsonPropertyName("timestamp")]
    public string? Timestamp { get; init; }

    /// <summary>Seconds left in the stage; the hub fills it from the observed rate when the publisher leaves it out.</summary>
    [Key("eta_seconds")]
    [JsonPropertyName("eta_seconds")]
    public double? EtaSeconds { get; init; }
}
