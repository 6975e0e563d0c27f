using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Tests.Bridge;

/// <summary>The node's real Redis history, with a fault a test switches on: the seam where a node stalls or loses its store.</summary>
internal sealed class FaultyHistory(IEventHistory inner) : IEventHistory
{
    /// <summary>While true, appends fail as they do when Redis cannot be reached.</summary>
    public bool Unavailable { get; set; }

    /// <summary>How long the node takes before each append reaches Redis (so that other nodes win the race).</summary>
    public TimeSpan PauseBeforeAppending { get; set; }

    /// <summary>How long the node pauses after an append that stored something, before it hands the event on.</summary>
    public TimeSpan PauseAfterStoring { get; set; }

    /// <summary>Replaces the node's history with a <see cref="FaultyHistory"/> around the real one.</summary>
    public static Action<IServiceCollection> On(FaultyHistory[] slot, int index) => services =>
        services.AddSingleton<IEventHistory>(provider =>
            slot[index] = new FaultyHistory(ActivatorUtilities.CreateInstance<RedisEventHistory>(provider)));

    public async Task<IReadOnlyList<AppendedEvent>> AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
    {
        if (Unavailable)
        {
            throw new RedisUnavailableException("The history store (Redis) cannot be reached.");
        }

        if (PauseBeforeAppending > TimeSpan.Zero)
        {
            await Task.Delay(PauseBeforeAppending, cancellationToken);
        }

        var appended = await inner.AppendAsync(events, cancellationToken);
        if (PauseAfterStoring > TimeSpan.Zero && appended.Any(a => !a.WasDuplicate))
        {
            // A stall (a GC pause, a starved thread pool) between the append and the hand-off.
            await Task.Delay(PauseAfterStoring, cancellationToken);
        }

        return appended;
    }

    public Task<HistoryRead> ReadAsync(Topic topic, HubEventId? after, CancellationToken cancellationToken) =>
        inner.ReadAsync(topic, after, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);
}
