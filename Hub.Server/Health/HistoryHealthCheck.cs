using Microsoft.Extensions.Diagnostics.HealthChecks;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Health;

/// <summary>Ready only while the history store (and the backplane, which shares its Redis) answers.</summary>
internal sealed class HistoryHealthCheck(IEventHistory history) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await history.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (RedisUnavailableException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
