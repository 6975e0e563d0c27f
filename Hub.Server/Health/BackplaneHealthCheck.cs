using Microsoft.Extensions.Diagnostics.HealthChecks;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Health;

/// <summary>
/// Ready only while the backplane's subscription connection is up: without it the node would accept
/// clients it cannot deliver to. Commands and subscriptions use separate connections, so a ping
/// alone does not tell.
/// </summary>
internal sealed class BackplaneHealthCheck(RedisConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        (await redis.GetAsync()).GetSubscriber().IsConnected()
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The backplane's subscription connection to Redis is down.");
}
