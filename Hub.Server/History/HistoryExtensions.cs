using RealtimeHub.Server.Hosting;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.History;

/// <summary>Registers the history store: Redis Streams with Redis, the in-memory store without.</summary>
internal static class HistoryExtensions
{
    public static IServiceCollection AddEventHistory(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<HistoryOptions>(configuration.GetSection(HistoryOptions.Section));
        if (configuration.UsesRedis())
        {
            services.AddSingleton<IEventHistory, RedisEventHistory>();
        }
        else
        {
            services.AddSingleton<IEventHistory, InMemoryEventHistory>();
        }

        return services;
    }
}
