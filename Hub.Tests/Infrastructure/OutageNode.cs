namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// A hub node on a durable redis-server of its own, for tests that kill and restart Redis without
/// disturbing the collections that share the other servers.
/// </summary>
public sealed class OutageNode : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;

    public HubNode Node { get; private set; } = null!;

    /// <summary>A second node on the same Redis, which may be publishing before <see cref="Node"/> hears again.</summary>
    public HubNode OtherNode { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync(durable: true);
        Node = await HubNode.StartAsync(Redis.ConnectionString);
        OtherNode = await HubNode.StartAsync(Redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await OtherNode.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class OutageNodeDefinition : ICollectionFixture<OutageNode>
{
    public const string Name = "One node on a redis-server that goes down";
}
