using RealtimeHub.Server.Hosting;
using RealtimeHub.Server.Publishing;

namespace RealtimeHub.Server.Bridge;

/// <summary>Registers the Redis bridge (Redis only, see <see cref="Hosting.HubBackend"/>) unless <c>Bridge:Enabled</c> is false.</summary>
internal static class BridgeExtensions
{
    public static IServiceCollection AddRedisBridge(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(BridgeOptions.Section);
        services.AddValidatedOptions<BridgeOptions>(section);
        if (!section.GetValue(nameof(BridgeOptions.Enabled), defaultValue: true))
        {
            return services;
        }

        services.AddSingleton<BridgeDeduplication>();
        services.AddSingleton<HandOffSignals>();
        services.AddSingleton<BridgeIngest>();
        services.AddHostedService<RedisBridge>();
        return services;
    }
}
