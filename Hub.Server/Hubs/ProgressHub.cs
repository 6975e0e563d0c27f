using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Delivery;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Limits;
using RealtimeHub.Server.Metrics;
using RealtimeHub.Server.Publishing;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Hubs;

/// <summary>The progress hub at <c>/hubs/progress</c> (docs/contract.md, SignalR hub).</summary>
internal sealed class ProgressHub(
    TopicReplay replay,
    IProgressPublisher publisher,
    TopicAccess access,
    ConnectionQuota quota,
    NodeLifetimeManager members,
    IOptions<LimitsOptions> limits,
    HubMetrics metrics) : Hub<IProgressClient>
{
    public override Task OnConnectedAsync()
    {
        // No per-connection record: SignalR calls OnDisconnectedAsync only for a connection that got this far.
        if (!quota.TryTake(Context.User!))
        {
            throw new HubException($"This user already holds {limits.Value.MaxConnectionsPerUser} connections, the most allowed.");
        }

        metrics.ConnectionOpened(Transport);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        quota.Release(Context.User!);
        metrics.ConnectionClosed(Transport);
        return Task.CompletedTask;
    }

    /// <summary>Joins a topic and returns the events after <paramref name="lastEventId"/>, or the latest one.</summary>
    public async Task<IReadOnlyList<EventEnvelope>> Subscribe(string topic, string? lastEventId)
    {
        var parsed = ParseTopic(topic);
        HubEventId? after = null;
        if (!string.IsNullOrEmpty(lastEventId))
        {
            after = HubEventId.TryParse(lastEventId, out var id)
                ? id
                : throw new HubException($"'{ClientInput.Printable(lastEventId)}' is not an event id; expected '<milliseconds>-<sequence>'.");
        }

        // Invocations of one connection run one at a time, so nothing else joins or leaves the topic meanwhile.
        var followed = members.Follows(Context.ConnectionId, parsed.ToString());
        HistoryRead read;
        try
        {
            if (!await access.MayReadAsync(Context.User!, parsed, Context.ConnectionAborted))
            {
                throw new HubException($"You may not read topic '{parsed}'.");
            }

            read = await replay.JoinAndReadAsync(Context.ConnectionId, parsed, after, "hub", Context.ConnectionAborted);
        }
        catch (TopicLimitReachedException full)
        {
            throw new HubException(full.Message);
        }
        catch (RedisUnavailableException)
        {
            // A failed Subscribe leaves the connection as it was: the topic uses no slot of its quota.
            if (!followed)
            {
                await LeaveAsync(parsed);
            }

            throw new HubException("The event history is unavailable right now; subscribe again shortly.");
        }

        if (read.Truncated)
        {
            await Clients.Caller.OnHistoryReset(new HistoryReset
            {
                Topic = parsed.ToString(),
                RequestedId = lastEventId!,
                OldestRetainedId = read.OldestRetainedId,
            });
        }

        return read.Events;
    }

    /// <summary>Leaves a topic.</summary>
    public Task Unsubscribe(string topic) => LeaveAsync(ParseTopic(topic));

    /// <summary>Publishes an event through the same path as HTTP publishing (publisher role); returns its id.</summary>
    public async Task<string> Publish(string topic, string type, JsonElement data)
    {
        var parsed = ParseTopic(topic);
        try
        {
            if (!await access.MayPublishAsync(Context.User!, parsed, DataOrganization.Of(data), Context.ConnectionAborted))
            {
                throw new HubException($"You may not publish to topic '{parsed}'; publishing needs the publisher role and your own organisation's topics.");
            }

            return await publisher.PublishAsync(topic, type, data, null, Context.ConnectionAborted);
        }
        catch (EventRejectedException rejected)
        {
            throw new HubException($"The event was rejected: {rejected.Field}: {rejected.Reason}");
        }
        catch (RedisUnavailableException)
        {
            throw new HubException("The event store is unavailable right now; publish again shortly.");
        }
    }

    /// <summary>Leaves the topic's group (if this connection joined it), which frees its slot of the topic quota.</summary>
    private Task LeaveAsync(Topic topic) => Groups.RemoveFromGroupAsync(Context.ConnectionId, topic.ToString(), Context.ConnectionAborted);

    private string Transport => ConnectionTransport.Of(Context.Features);

    private static Topic ParseTopic(string? topic) =>
        Topic.TryParse(topic, out var parsed, out var error) ? parsed : throw new HubException(error);
}
