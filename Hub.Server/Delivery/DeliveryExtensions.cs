using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RealtimeHub.Server.Hosting;
using RealtimeHub.Server.Hubs;

namespace RealtimeHub.Server.Delivery;

/// <summary>Registers delivery: the node's lifetime manager over the backplane, its byte limit and the cut-off report.</summary>
internal static class DeliveryExtensions
{
    /// <summary>
    /// Registers delivery; <paramref name="backplane"/> creates the lifetime manager that carries group
    /// messages between nodes (SignalR's Redis backplane, or its in-memory manager on one node).
    /// </summary>
    public static IServiceCollection AddDelivery(
        this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, HubLifetimeManager<ProgressHub>> backplane)
    {
        // Sse:MaxBufferedBytes is the setting's earlier name; Delivery:MaxBufferedBytes wins when both are set.
        services.AddValidatedOptions<DeliveryOptions>(configuration.GetSection(DeliveryOptions.LegacySection))
            .Bind(configuration.GetSection(DeliveryOptions.Section));
        services.AddSingleton<SlowConsumers>();
        services.AddSingleton<RelayServices>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol>(SequenceProtocol.Instance));
        services.AddKeyedSingleton(NodeLifetimeManager.BackplaneKey, (provider, _) => backplane(provider));
        services.AddSingleton<NodeLifetimeManager>();
        services.AddSingleton<HubLifetimeManager<ProgressHub>>(provider => provider.GetRequiredService<NodeLifetimeManager>());
        return services;
    }
}
