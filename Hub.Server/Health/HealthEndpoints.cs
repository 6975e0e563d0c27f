using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Health;

/// <summary>Liveness, readiness and the enrichment service's health route (docs/contract.md, Health and metrics).</summary>
internal static class HealthEndpoints
{
    /// <summary>The tag of the checks that decide readiness.</summary>
    public const string ReadyTag = "ready";

    public static IServiceCollection AddHubHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<HistoryHealthCheck>("history", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHubHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        routes.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        routes.MapGet("/api/enrichment/health", EnrichmentHealth);
        return routes;
    }

    /// <summary>The enrichment service's shape: <c>{"status":"healthy","redis":"connected"}</c>; "embedded" without Redis.</summary>
    private static async Task<IResult> EnrichmentHealth(HealthCheckService health, IOptions<RedisConnectionOptions> redis, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(ReadyTag), cancellationToken);
        var healthy = report.Status == HealthStatus.Healthy;
        var redisState = !redis.Value.IsConfigured ? "embedded" : healthy ? "connected" : "disconnected";
        return Results.Json(
            new { status = healthy ? "healthy" : "unhealthy", redis = redisState },
            statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
