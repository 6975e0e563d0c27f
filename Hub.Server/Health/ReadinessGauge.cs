using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RealtimeHub.Server.Metrics;

namespace RealtimeHub.Server.Health;

/// <summary>
/// <c>realtimehub_ready</c>: 1 while this node's readiness checks (the ones behind <c>/health/ready</c>)
/// last passed, 0 while they failed or before they first ran. ASP.NET Core's health check publisher
/// runs them every <see cref="Period"/>; a scrape only reads the latest outcome, so it never waits on Redis.
/// </summary>
internal sealed class ReadinessGauge : IHealthCheckPublisher
{
    /// <summary>How often the readiness checks run for the gauge.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    private int _ready;

    public ReadinessGauge(IMeterFactory meterFactory)
    {
        meterFactory.Create(HubMetrics.MeterName).CreateObservableGauge(
            "realtimehub.ready", () => Volatile.Read(ref _ready), "{node}", "1 while this node's readiness checks (GET /health/ready) last passed, else 0.");
    }

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _ready, report.Status == HealthStatus.Healthy ? 1 : 0);
        return Task.CompletedTask;
    }
}
