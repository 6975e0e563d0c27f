using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Serialization;
using RealtimeHub.Server.Redis;
using StackExchange.Redis;

namespace RealtimeHub.Server.Hubs;

/// <summary>Registers the progress hub with JSON and MessagePack, and the Redis backplane when Redis is configured.</summary>
internal static class HubExtensions
{
    public static IServiceCollection AddProgressHub(this IServiceCollection services, IConfiguration configuration)
    {
        var signalR = services.AddSignalR()
            .AddJsonProtocol()
            .AddMessagePackProtocol(options => options.SerializerOptions = HubMessagePack.Options);
        services.AddSingleton<TopicReplay>();
        if (configuration.UsesRedis())
        {
            signalR.AddStackExchangeRedis(options =>
                options.Configuration.ChannelPrefix = RedisChannel.Literal(RedisKeys.BackplanePrefix));

            // The backplane shares the node's one multiplexer with the history store.
            services.AddOptions<RedisOptions>().Configure<RedisConnection>((options, redis) =>
                options.ConnectionFactory = _ => redis.GetAsync());
        }

        return services;
    }

    public static IEndpointRouteBuilder MapProgressHub(this IEndpointRouteBuilder routes)
    {
        routes.MapHub<ProgressHub>(HubRoutes.ProgressHub, options => options.AllowStatefulReconnects = true);
        return routes;
    }
}
