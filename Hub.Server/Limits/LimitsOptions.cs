using System.ComponentModel.DataAnnotations;

namespace RealtimeHub.Server.Limits;

/// <summary>Per-tenant and per-connection limits (section <c>Limits</c>).</summary>
public sealed class LimitsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Limits";

    /// <summary>Events one organisation may publish per second over HTTP, sustained.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Limits:PublishPerSecond must be between 1 and 1000000.")]
    public int PublishPerSecond { get; set; } = 1000;

    /// <summary>Publish requests an organisation may send in a burst above the sustained rate.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Limits:PublishBurst must be between 1 and 1000000.")]
    public int PublishBurst { get; set; } = 2000;

    /// <summary>New connections (SSE streams, hub negotiations) one organisation may open per second, sustained.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Limits:ConnectionsPerSecond must be between 1 and 1000000.")]
    public int ConnectionsPerSecond { get; set; } = 200;

    /// <summary>New connections an organisation may open in a burst, for example after a deploy.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Limits:ConnectionsBurst must be between 1 and 1000000.")]
    public int ConnectionsBurst { get; set; } = 2000;

    /// <summary>Open connections one authenticated user may hold on one node.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Limits:MaxConnectionsPerUser must be between 1 and 1000000.")]
    public int MaxConnectionsPerUser { get; set; } = 100;

    /// <summary>Topics one hub connection or SSE stream may follow.</summary>
    [Range(1, 10_000, ErrorMessage = "Limits:MaxTopicsPerConnection must be between 1 and 10000.")]
    public int MaxTopicsPerConnection { get; set; } = 50;
}
