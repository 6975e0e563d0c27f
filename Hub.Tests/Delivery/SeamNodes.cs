using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Server.Delivery;
using RealtimeHub.Server.Hubs;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Delivery;

/// <summary>
/// Nodes whose <see cref="Publisher"/> hands events to the real backplane through a
/// <see cref="FailingHandOffs"/> seam. On a redis-server of their own (<see cref="StartAsync"/>),
/// <see cref="Other"/> is a second node that hears them only through Redis; on the embedded default
/// (<see cref="StartEmbeddedAsync"/>), whose groups and history live in one process, the publisher is
/// the only node and <see cref="Other"/> is null. <see cref="All"/> lists the nodes either way.
/// </summary>
internal sealed class SeamNodes : IAsyncDisposable
{
    private RedisServer? _redis;

    public FailingHandOffs Seam { get; private set; } = null!;

    public HubNode Publisher { get; private set; } = null!;

    public HubNode Other { get; private set; } = null!;

    public IReadOnlyList<HubNode> All => _redis is null ? [Publisher] : [Publisher, Other];

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

    /// <summary>Starts one node on the embedded default, with <paramref name="settings"/>.</summary>
    public static async Task<SeamNodes> StartEmbeddedAsync(IDictionary<string, string?>? settings = null)
    {
        var nodes = new SeamNodes();
        nodes.Publisher = await HubNode.StartAsync(null, settings, services =>
            services.AddKeyedSingleton<HubLifetimeManager<ProgressHub>>(NodeLifetimeManager.BackplaneKey, (provider, _) =>
                nodes.Seam = new FailingHandOffs(ActivatorUtilities.CreateInstance<DefaultHubLifetimeManager<ProgressHub>>(provider))));
        return nodes;
    }

    public async ValueTask DisposeAsync()
    {
        await Publisher.DisposeAsync();
        if (_redis is not null)
        {
            await Other.DisposeAsync();
            await _redis.DisposeAsync();
        }
    }
}
