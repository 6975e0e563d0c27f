using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.Dashboard;

/// <summary>The embedded default's list of active topics: this node's publishes, which on one node are all of them.</summary>
internal sealed class InMemoryActiveTopics : IActiveTopics
{
    /// <summary>Topics remembered; the least recently active are forgotten first.</summary>
    internal const int Capacity = 1000;

    private readonly Dictionary<string, ActiveTopic> _topics = new(StringComparer.Ordinal);

    public void Published(EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (!Topic.TryParse(envelope.Topic, out var topic, out _))
        {
            return;
        }

        lock (_topics)
        {
            // Concurrent publishes to a topic may report out of order: the latest time wins.
            if (!_topics.TryGetValue(envelope.Topic, out var known) || known.LastActivity < envelope.Timestamp)
            {
                _topics[envelope.Topic] = new ActiveTopic(topic, envelope.Timestamp);
            }

            // Trimmed in bulk past a margin, so a full registry does not sort on every publish.
            if (_topics.Count > Capacity + (Capacity / 4))
            {
                foreach (var stale in _topics.Values.OrderByDescending(t => t.LastActivity).Skip(Capacity).ToList())
                {
                    _topics.Remove(stale.Topic.ToString());
                }
            }
        }
    }

    public Task<IReadOnlyList<ActiveTopic>> RecentAsync(DateTimeOffset since, int count, CancellationToken cancellationToken)
    {
        lock (_topics)
        {
            IReadOnlyList<ActiveTopic> recent = [.. _topics.Values
                .Where(t => t.LastActivity >= since)
                .OrderByDescending(t => t.LastActivity)
                .Take(count)];
            return Task.FromResult(recent);
        }
    }
}
