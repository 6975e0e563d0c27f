using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Server.Delivery;
using RealtimeHub.Server.Hubs;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Delivery;

/// <summary>
/// Two nodes on a redis-server of their own: <see cref="Publisher"/> hands events to the real Redis
/// backplane through a <see cref="FailingHandOffs"/> seam, <see cref="Other"/> only through Redis.
/// </summary>
internal sealed class SeamNodes : IAsyncDisposable
{
    private RedisServer _redis = null!;

    public FailingHandOffs Seam { get; private set; } = null!;

    public HubNode Publisher { get; private set; } = null!;

    public HubNode Other { get; private set; } = null!;

    /// <summary>Starts Redis and both nodes, each with <paramref name="settings"/>.</summary>
    public static async Task<SeamNodes> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var nodes = new SeamNodes { _redis = await RedisServer.StartAsync() };
        nodes.Publisher = await HubNode.StartAsync(nodes._redis.ConnectionString, settings, services =>
            services.AddKeyedSingleton<HubLifetimeManager<ProgressHub>>(NodeLifetimeManager.BackplaneKey, (provider, _) =>
                nodes.Seam = new FailingHandOffs(ActivatorUtilities.CreateInstance<RedisHubLifetimeManager<ProgressHub>>(provider))));
        nodes.Other = await HubNode.StartAsync(nodes._redis.ConnectionString, settings);
        return nodes;
    }

    public async ValueTask DisposeAsync()
    {
        await Publisher.DisposeAsync();
        await Other.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
