using System.ComponentModel.DataAnnotations;

namespace RealtimeHub.Server.History;

/// <summary>How much history each topic keeps (settings <c>History__MaxEventsPerTopic</c>, <c>History__Retention</c>).</summary>
public sealed class HistoryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "History";

    /// <summary>Most events kept per topic; older ones are trimmed as new ones arrive.</summary>
    [Range(1, 1_000_000, ErrorMessage = "History:MaxEventsPerTopic must be between 1 and 1000000.")]
    public int MaxEventsPerTopic { get; set; } = 1000;

    /// <summary>How long an event is kept; also how long an idempotency key is remembered.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00", ErrorMessage = "History:Retention must be between 1 second and 365 days, for example 24:00:00.")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);
}
