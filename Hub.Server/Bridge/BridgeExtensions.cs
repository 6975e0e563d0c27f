using RealtimeHub.Server.Hosting;
using RealtimeHub.Server.Publishing;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Bridge;

/// <summary>Registers the Redis bridge when Redis is configured and <c>Bridge:Enabled</c> is not false.</summary>
internal static class BridgeExtensions
{
    public static IServiceCollection AddRedisBridge(this IServiceCollection services, IConfiguration configuration)
    {
        if (!configuration.UsesRedis())
        {
            return services;
        }

        var section = configuration.GetSection(BridgeOptions.Section);
        services.AddValidatedOptions<BridgeOptions>(section);
        if (!section.GetValue(nameof(BridgeOptions.Enabled), defaultValue: true))
        {
            return services;
        }

        services.AddSingleton<BridgeOccurrences>();
        services.AddSingleton<HandOffSignals>();
        services.AddSingleton<BridgeIngest>();
        services.AddHostedService<RedisBridge>();
        return services;
    }
}
