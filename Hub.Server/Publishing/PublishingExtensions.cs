using RealtimeHub.Server.Metrics;

namespace RealtimeHub.Server.Publishing;

/// <summary>Registers the publishing path and its HTTP error mapping.</summary>
internal static class PublishingExtensions
{
    public static IServiceCollection AddPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PublishingOptions>()
            .Bind(configuration.GetSection(PublishingOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<EventValidator>();
        services.AddSingleton<TopicLocks>();
        services.AddSingleton<HubMetrics>();
        services.AddSingleton<IProgressPublisher, EventPublisher>();
        services.AddExceptionHandler<PublishingProblems>();
        return services;
    }
}
