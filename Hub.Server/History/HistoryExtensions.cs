using RealtimeHub.Server.Hosting;

namespace RealtimeHub.Server.History;

/// <summary>Registers the history settings; <see cref="Hosting.HubBackend"/> chooses the store (Redis Streams or in memory).</summary>
internal static class HistoryExtensions
{
    public static IServiceCollection AddEventHistory(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<HistoryOptions>(configuration.GetSection(HistoryOptions.Section));
        return services;
    }
}
