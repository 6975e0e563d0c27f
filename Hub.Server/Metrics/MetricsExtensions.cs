using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using RealtimeHub.Server.Auth;

namespace RealtimeHub.Server.Metrics;

/// <summary>
/// Registers the hub's instruments (<see cref="HubMetrics"/>, every series at zero from the start) and
/// serves <c>GET /metrics</c> in Prometheus text format through OpenTelemetry: the hub's own meter and
/// every meter ASP.NET Core's instrumentation enables (hosting, Kestrel, SignalR's connections and hub,
/// routing, rate limiting and the others). With auth on, scraping needs the admin role or an API key
/// unless <see cref="MetricsOptions.AllowAnonymous"/> allows anonymous scrapes.
/// </summary>
internal static class MetricsExtensions
{
    /// <summary>The scraping route.</summary>
    public const string Route = "/metrics";

    public static IServiceCollection AddHubMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section));
        services.AddSingleton<HubMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(HubMetrics.MeterName)

            // Microsoft.AspNetCore.Hosting, .Server.Kestrel, .Http.Connections (SignalR) and the others ASP.NET Core has.
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());

        // After OpenTelemetry's own hosted service, so its listener already hears the zero series.
        services.AddHostedService<HubMetricsSeries>();
        return services;
    }

    public static IEndpointRouteBuilder MapHubMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPrometheusScrapingEndpoint(Route).RequireOperatorAccess(app);
        return app;
    }

    /// <summary>
    /// The rule of the operators' routes (<c>/metrics</c>, <c>/openapi/v1.json</c>): with auth on, an API key
    /// (<c>X-Api-Key</c>) or a token with the admin role, unless <see cref="MetricsOptions.AllowAnonymous"/>
    /// (by default, Development) lets anyone in.
    /// </summary>
    public static TBuilder RequireOperatorAccess<TBuilder>(this TBuilder endpoints, WebApplication app)
        where TBuilder : IEndpointConventionBuilder
    {
        var auth = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var allowAnonymous = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.AllowAnonymous ?? app.Environment.IsDevelopment();
        if (auth.Enabled && !allowAnonymous)
        {
            endpoints.RequireAuthorization(policy => policy.RequireAuthenticatedUser().RequireAssertion(context => context.User.IsAdmin()));
        }

        return endpoints;
    }

    /// <summary>Makes the connection gauges show all three transports from the start, at zero.</summary>
    private sealed class HubMetricsSeries(HubMetrics metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            metrics.PublishZeroSeries();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
