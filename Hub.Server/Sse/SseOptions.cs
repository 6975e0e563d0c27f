using System.ComponentModel.DataAnnotations;

namespace RealtimeHub.Server.Sse;

/// <summary>Settings of the SSE routes (section <c>Sse</c>); the defaults are the contract's.</summary>
public sealed class SseOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Sse";

    /// <summary>Heartbeat of <c>/api/sse</c>, the merchant and the batch routes (15 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Sse:Heartbeat must be between 100 ms and 1 hour.")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Heartbeat of the enrichment route (30 s, the enrichment service's keepalive).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Sse:EnrichmentHeartbeat must be between 100 ms and 1 hour.")]
    public TimeSpan EnrichmentHeartbeat { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>retry:</c> sent first: how long EventSource waits before reconnecting.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Sse:Retry must be between 0 and 10 minutes.")]
    public TimeSpan Retry { get; set; } = TimeSpan.FromSeconds(3);
}
