using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Serialization;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Delivery;
using RealtimeHub.Server.Health;
using RealtimeHub.Server.Limits;
using RealtimeHub.Server.Publishing;
using RealtimeHub.Server.Redis;
using RealtimeHub.Server.WebSockets;
using StackExchange.Redis;

namespace RealtimeHub.Server.Hubs;

/// <summary>Registers the progress hub with JSON and MessagePack, and the Redis backplane that <see cref="Hosting.HubBackend"/> chooses with Redis.</summary>
internal static class HubExtensions
{
    public static IServiceCollection AddProgressHub(this IServiceCollection services)
    {
        services.AddSignalR()
            .AddJsonProtocol()
            .AddMessagePackProtocol(options => options.SerializerOptions = HubMessagePack.Options);
        services.AddSingleton<TopicReplay>();
        services.AddSingleton<ConnectionHeartbeat>();
        services.AddSingleton<HubWebSocketTransport>();

        // A hub Publish carries a whole event, so a message may be as large as an event plus its envelope.
        services.AddOptions<HubOptions>().Configure<IOptions<PublishingOptions>>((hub, publishing) =>
            hub.MaximumReceiveMessageSize = publishing.Value.MaxEventBytes + (16 * 1024));
        return services;
    }

    /// <summary>Delivery over SignalR's Redis backplane, watched for outages and part of readiness (Redis only, see <see cref="Hosting.HubBackend"/>).</summary>
    public static IServiceCollection AddRedisBackplane(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSignalR().AddStackExchangeRedis(options =>
            options.Configuration.ChannelPrefix = RedisChannel.Literal(RedisKeys.BackplanePrefix));
        services.AddDelivery(configuration, provider => ActivatorUtilities.CreateInstance<RedisHubLifetimeManager<ProgressHub>>(provider));

        services.AddHostedService<BackplaneWatch>();
        services.AddHealthChecks().AddCheck<BackplaneHealthCheck>("backplane", tags: [HealthEndpoints.ReadyTag]);

        // The backplane shares the node's one multiplexer with the history store.
        services.AddOptions<RedisOptions>().Configure<RedisConnection>((options, redis) =>
            options.ConnectionFactory = _ => redis.GetAsync());
        return services;
    }

    public static IEndpointRouteBuilder MapProgressHub(this IEndpointRouteBuilder routes)
    {
        var transport = routes.ServiceProvider.GetRequiredService<HubWebSocketTransport>();
        // MapHub configures its options at once; the conventions below run later, when endpoints are built.
        HttpConnectionDispatcherOptions? dispatcher = null;
        routes.MapHub<ProgressHub>(HubRoutes.ProgressHub, options =>
            {
                options.AllowStatefulReconnects = true;
                options.CloseOnAuthenticationExpiration = true;
                dispatcher = options;
            })
            .RequireCaller(routes)
            .Add(endpoint =>
            {
                // Negotiation starts a new connection; rate-limiting the transport requests too would
                // throttle the messages of connections already open.
                if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } route } && route.EndsWith("/negotiate", StringComparison.Ordinal))
                {
                    endpoint.Metadata.Add(new LimitsExtensions.RateLimitedEndpoint(RateLimitPolicy.Connect));
                }
                else if (endpoint.RequestDelegate is { } signalR)
                {
                    // The route itself: WebSockets opened without negotiation go to the hub's own transport, and
                    // their upgrade is where such a connection starts, so it takes a connect token as negotiation does.
                    endpoint.RequestDelegate = transport.Wrap(routes, signalR, dispatcher!);
                    endpoint.Metadata.Add(new LimitsExtensions.RateLimitedEndpoint(RateLimitPolicy.Connect, HubWebSocketTransport.StartsConnection));
                }
            });
        return routes;
    }
}
