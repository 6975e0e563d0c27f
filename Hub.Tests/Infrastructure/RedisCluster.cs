namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// One redis-server and two hub nodes sharing it, started once for a test collection. Tests keep
/// out of each other's way by using topics with unique ids.
/// </summary>
public sealed class RedisCluster : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;

    public HubNode NodeA { get; private set; } = null!;

    public HubNode NodeB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        NodeA = await HubNode.StartAsync(Redis.ConnectionString);
        NodeB = await HubNode.StartAsync(Redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await NodeA.DisposeAsync();
        await NodeB.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisClusterDefinition : ICollectionFixture<RedisCluster>
{
    public const string Name = "Two nodes on one redis-server";
}
