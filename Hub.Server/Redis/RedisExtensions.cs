using RealtimeHub.Server.Hosting;

namespace RealtimeHub.Server.Redis;

/// <summary>Registers the node's Redis connection when <c>Redis:ConnectionString</c> is set.</summary>
internal static class RedisExtensions
{
    /// <summary>True when the configuration names a Redis server.</summary>
    public static bool UsesRedis(this IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{RedisConnectionOptions.Section}:ConnectionString"]);

    public static IServiceCollection AddHubRedis(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<RedisConnectionOptions>(configuration.GetSection(RedisConnectionOptions.Section));
        if (configuration.UsesRedis())
        {
            services.AddSingleton<RedisConnection>();
        }

        return services;
    }
}
