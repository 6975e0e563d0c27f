using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Eta;

/// <summary>Registers ETA estimation with job clocks in Redis, or in memory on the embedded default.</summary>
internal static class EtaExtensions
{
    public static IServiceCollection AddEtaEstimation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<EtaEstimator>();
        if (configuration.UsesRedis())
        {
            services.AddSingleton<IJobClocks, RedisJobClocks>();
        }
        else
        {
            services.AddMemoryCache();
            services.AddSingleton<IJobClocks, InMemoryJobClocks>();
        }

        return services;
    }
}
