using System.ComponentModel.DataAnnotations;

namespace RealtimeHub.Server.Publishing;

/// <summary>Limits on what publishers may send (section <c>Publishing</c>).</summary>
public sealed class PublishingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Publishing";

    /// <summary>Largest event data accepted, in bytes of JSON; larger events get 413.</summary>
    [Range(1024, 16 * 1024 * 1024, ErrorMessage = "Publishing:MaxEventBytes must be between 1024 and 16777216.")]
    public int MaxEventBytes { get; set; } = 64 * 1024;

    /// <summary>Most events in one batch publish.</summary>
    [Range(1, 10_000, ErrorMessage = "Publishing:MaxBatchItems must be between 1 and 10000.")]
    public int MaxBatchItems { get; set; } = 500;

    /// <summary>Longest idempotency key accepted.</summary>
    public const int MaxIdempotencyKeyLength = 200;
}
