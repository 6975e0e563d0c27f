using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Bridge;
using RealtimeHub.Server.Cors;
using RealtimeHub.Server.Dashboard;
using RealtimeHub.Server.Demo;
using RealtimeHub.Server.Eta;
using RealtimeHub.Server.Health;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Hubs;
using RealtimeHub.Server.Limits;
using RealtimeHub.Server.Metrics;
using RealtimeHub.Server.OpenApi;
using RealtimeHub.Server.Publishing;
using RealtimeHub.Server.Sse;
using RealtimeHub.Server.Tracing;

namespace RealtimeHub.Server.Hosting;

/// <summary>The table of contents of the server: every concern's registration and routes.</summary>
public static class RealtimeHubExtensions
{
    /// <summary>Registers every part of the hub, choosing Redis or the embedded default from configuration.</summary>
    public static WebApplicationBuilder AddRealtimeHub(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        builder.UseJsonConsoleOutsideDevelopment();
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDefaults.FillDetail);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services
            .AddHubAuth(configuration)
            .AddHubLimits(configuration)
            .AddEventHistory(configuration)
            .AddEtaEstimation()
            .AddPublishing(configuration)
            .AddHubBackend(configuration)
            .AddProgressHub()
            .AddSseShim(configuration)
            .AddHubHealthChecks()
            .AddHubMetrics(configuration)
            .AddHubOpenApi()
            .AddHubTracing(configuration)
            .AddHubCors(configuration)
            .AddDashboard(configuration)
            .AddDemoWorkloads(configuration);
        return builder;
    }

    /// <summary>Maps every route of the public contract (docs/contract.md).</summary>
    public static WebApplication MapRealtimeHub(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseHubAuth();
        app.UseHubRateLimits();
        app.MapProgressHub();
        app.MapPublishingApi();
        app.MapSseRoutes();
        app.MapHubHealth();
        app.MapHubMetrics();
        app.MapHubOpenApi();
        app.MapDashboard();
        return app;
    }
}
