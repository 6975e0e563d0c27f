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

    /// <summary>Liveness: 200 <c>Healthy</c> while the process serves requests.</summary>
    public const string LiveRoute = "/health/live";

    /// <summary>Readiness: 200 <c>Healthy</c> while the backplane and the history store answer, 503 <c>Unhealthy</c> otherwise.</summary>
    public const string ReadyRoute = "/health/ready";

    public static IServiceCollection AddHubHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<HistoryHealthCheck>("history", tags: [ReadyTag]);
        services.AddSingleton<IHealthCheckPublisher, ReadinessGauge>();
        services.Configure<HealthCheckPublisherOptions>(options =>
        {
            options.Predicate = check => check.Tags.Contains(ReadyTag);
            options.Delay = TimeSpan.Zero;
            options.Period = ReadinessGauge.Period;
        });
        return services;
    }

    public static IEndpointRouteBuilder MapHubHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks(LiveRoute, new HealthCheckOptions { Predicate = _ => false });
        routes.MapHealthChecks(ReadyRoute, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        routes.MapGet("/api/enrichment/health", EnrichmentHealth)
            .WithTags("Health")
            .WithSummary("The enrichment service's health route: {\"status\":\"healthy\",\"redis\":\"connected\"}.")
            .Produces<EnrichmentHealthStatus>(StatusCodes.Status200OK)
            .Produces<EnrichmentHealthStatus>(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    /// <summary>The enrichment service's shape: <c>{"status":"healthy","redis":"connected"}</c>; "embedded" without Redis.</summary>
    private static async Task<IResult> EnrichmentHealth(HealthCheckService health, IOptions<RedisConnectionOptions> redis, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(ReadyTag), cancellationToken);
        var healthy = report.Status == HealthStatus.Healthy;
        var redisState = !redis.Value.IsConfigured ? "embedded" : healthy ? "connected" : "disconnected";
        return Results.Json(
            new EnrichmentHealthStatus(healthy ? "healthy" : "unhealthy", redisState),
            statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>The answer of <c>GET /api/enrichment/health</c>: <c>healthy</c> or <c>unhealthy</c>, and Redis's state (<c>connected</c>, <c>disconnected</c>, <c>embedded</c>).</summary>
internal sealed record EnrichmentHealthStatus(string Status, string Redis);
