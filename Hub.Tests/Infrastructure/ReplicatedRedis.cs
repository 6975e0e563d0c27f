namespace RealtimeHub.Tests.Infrastructure;

/// <summary>A Redis deployment with replicas that takes over by itself when a primary dies: Sentinel or a Redis Cluster.</summary>
public interface IReplicatedRedis : IAsyncDisposable
{
    /// <summary>The hub's <c>Redis:ConnectionString</c> for the deployment.</summary>
    string ConnectionString { get; }

    /// <summary>Kills (SIGKILL) the primary holding <paramref name="topic"/>'s keys, as a crash would.</summary>
    Task KillPrimaryOfAsync(string topic);

    /// <summary>Waits until a replica has been promoted in place of the killed primary.</summary>
    Task WaitForFailoverAsync();
}
