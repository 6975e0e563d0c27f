using Microsoft.AspNetCore.SignalR;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Metrics;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Hubs;

/// <summary>
/// The one resume routine of the hub, every SSE route and (through <c>Subscribe</c>) the typed client:
/// join the topic's group first, then read the history after the last id. Live events that arrive
/// meanwhile are already queued for the connection; the consumer drops ids it has replayed.
/// </summary>
internal sealed class TopicReplay(HubLifetimeManager<ProgressHub> lifetime, IEventHistory history, HubMetrics metrics)
{
    /// <summary>Joins the group, then returns the events after <paramref name="after"/>; without an id, the latest event.</summary>
    public async Task<HistoryRead> JoinAndReadAsync(
        string connectionId, Topic topic, HubEventId? after, string route, CancellationToken cancellationToken)
    {
        try
        {
            await lifetime.AddToGroupAsync(connectionId, topic.ToString(), cancellationToken);
        }
        catch (Exception ex) when (RedisConnection.IsUnreachable(ex))
        {
            throw new RedisUnavailableException("The backplane (Redis) cannot be reached.", ex);
        }

        var read = await history.ReadAsync(topic, after, cancellationToken);
        if (after is not null)
        {
            metrics.ReplayServed(route);
        }

        return read;
    }
}
