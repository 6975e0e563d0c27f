using RealtimeHub.Server.Hosting;

namespace RealtimeHub.Server.Publishing;

/// <summary>Registers the publishing path and its HTTP error mapping.</summary>
internal static class PublishingExtensions
{
    public static IServiceCollection AddPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<PublishingOptions>(configuration.GetSection(PublishingOptions.Section));
        services.AddSingleton<EventValidator>();
        // One instance serves in-process callers and the Redis bridge, which needs its internal entry point.
        services.AddSingleton<BackplaneHandOff>();
        services.AddHostedService(provider => provider.GetRequiredService<BackplaneHandOff>());
        services.AddSingleton<EventPublisher>();
        services.AddSingleton<IProgressPublisher>(provider => provider.GetRequiredService<EventPublisher>());
        services.AddExceptionHandler<PublishingProblems>();
        return services;
    }
}
