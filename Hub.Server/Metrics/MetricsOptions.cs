namespace RealtimeHub.Server.Metrics;

/// <summary>Settings of <c>GET /metrics</c> (section <c>Metrics</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Metrics";

    /// <summary>
    /// Whether anonymous callers may scrape <c>/metrics</c> when auth is on. Unset: only in Development.
    /// Otherwise scraping needs the admin role or an API key. With auth off every route is open anyway.
    /// </summary>
    public bool? AllowAnonymous { get; set; }
}
