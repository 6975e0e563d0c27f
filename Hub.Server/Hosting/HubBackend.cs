using Microsoft.AspNetCore.SignalR;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Bridge;
using RealtimeHub.Server.Dashboard;
using RealtimeHub.Server.Delivery;
using RealtimeHub.Server.Eta;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Hubs;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Hosting;

/// <summary>
/// The one place that chooses between Redis and the embedded single-node default: with
/// <c>Redis:ConnectionString</c> set every store the nodes share lives in Redis, SignalR's Redis backplane
/// carries group messages and the bridge ingests the products' channels; without it each store is in memory.
/// </summary>
internal static class HubBackend
{
    public static IServiceCollection AddHubBackend(this IServiceCollection services, IConfiguration configuration)
    {
        var redis = configuration.GetSection(RedisConnectionOptions.Section);
        services.AddValidatedOptions<RedisConnectionOptions>(redis);
        return redis.Get<RedisConnectionOptions>()?.IsConfigured == true
            ? services.AddRedisBackend(configuration)
            : services.AddEmbeddedBackend(configuration);
    }

    private static IServiceCollection AddRedisBackend(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<RedisConnection>();
        services.AddHostedService<RedisDeploymentCheck>();
        services.AddSingleton<IEventHistory, RedisEventHistory>();
        services.AddSingleton<ITopicOwners, RedisTopicOwners>();
        services.AddSingleton<IJobClocks, RedisJobClocks>();
        services.AddSingleton<IActiveTopics, RedisActiveTopics>();
        services.AddRedisBridge(configuration);
        services.AddRedisBackplane(configuration);
        return services;
    }

    private static IServiceCollection AddEmbeddedBackend(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMemoryCache();
        services.AddSingleton<IEventHistory, InMemoryEventHistory>();
        services.AddSingleton<ITopicOwners, InMemoryTopicOwners>();
        services.AddSingleton<IJobClocks, InMemoryJobClocks>();
        services.AddSingleton<IActiveTopics, InMemoryActiveTopics>();
        services.AddDelivery(configuration, provider => ActivatorUtilities.CreateInstance<DefaultHubLifetimeManager<ProgressHub>>(provider));
        return services;
    }
}
