using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RealtimeHub.Server.Hosting;

namespace RealtimeHub.Server.Sse;

/// <summary>Registers the SSE shim: its hub protocol (which must stay registered, see <see cref="SseHubProtocol"/>), heartbeats and routes.</summary>
internal static class SseExtensions
{
    public static IServiceCollection AddSseShim(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SseOptions>(configuration.GetSection(SseOptions.Section));
        services.AddSingleton<SseHubProtocol>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, SseHubProtocol>(provider => provider.GetRequiredService<SseHubProtocol>()));
        services.AddSingleton<SseHeartbeat>();
        services.AddHostedService(provider => provider.GetRequiredService<SseHeartbeat>());
        services.AddSingleton<SseServices>();
        return services;
    }
}
