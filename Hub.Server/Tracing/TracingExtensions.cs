using OpenTelemetry.Trace;

namespace RealtimeHub.Server.Tracing;

/// <summary>
/// Exports traces (the event path's <see cref="EventTracing"/> spans and ASP.NET Core's request spans) over
/// OTLP when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; without it nothing listens and
/// nothing is exported. The exporter reads the other standard <c>OTEL_*</c> variables itself
/// (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_SERVICE_NAME</c>, ...).
/// </summary>
internal static class TracingExtensions
{
    /// <summary>The standard variable that turns the export on.</summary>
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddHubTracing(this IServiceCollection services, IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(configuration[EndpointSetting]))
        {
            services.AddOpenTelemetry().WithTracing(tracing => tracing
                .AddSource(EventTracing.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter());
        }

        return services;
    }
}
