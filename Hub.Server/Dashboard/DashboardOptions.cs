using System.ComponentModel.DataAnnotations;

namespace RealtimeHub.Server.Dashboard;

/// <summary>What the dashboard at <c>/</c> lists and how often it refreshes (section <c>Dashboard</c>).</summary>
public sealed class DashboardOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dashboard";

    /// <summary>Most topics <c>GET /api/topics</c> lists (and the page shows), most recently active first.</summary>
    [Range(1, 200, ErrorMessage = "Dashboard:MaxTopics must be between 1 and 200.")]
    public int MaxTopics { get; set; } = 24;

    /// <summary>How long a topic stays listed after its last event.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "Dashboard:ActiveWindow must be between 1 second and 7 days, for example 00:10:00.")]
    public TimeSpan ActiveWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the page asks for the topic list and the connection counts.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "Dashboard:RefreshInterval must be between 100 ms and 1 minute.")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);
}
