using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Publishing;

namespace RealtimeHub.Server.Dashboard;

/// <summary>
/// The topics that saw events recently, fed by the publishing path (<see cref="IPublishObserver"/>).
/// Bounded: only the most recently active topics are remembered. With Redis the list is shared by
/// every node, so a dashboard behind a load balancer sees the same topics whichever node it reaches.
/// </summary>
internal interface IActiveTopics : IPublishObserver
{
    /// <summary>The topics with an event at or after <paramref name="since"/>, most recent first, at most <paramref name="count"/>.</summary>
    /// <exception cref="Redis.RedisUnavailableException">Redis cannot be reached.</exception>
    Task<IReadOnlyList<ActiveTopic>> RecentAsync(DateTimeOffset since, int count, CancellationToken cancellationToken);
}

/// <summary>A topic and the time of its latest event.</summary>
internal readonly record struct ActiveTopic(Topic Topic, DateTimeOffset LastActivity);
