using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Metrics;
using RealtimeHub.Server.Publishing;

namespace RealtimeHub.Server.Hubs;

/// <summary>The progress hub at <c>/hubs/progress</c> (CONTRACT.md §4).</summary>
internal sealed class ProgressHub(TopicReplay replay, IProgressPublisher publisher, HubMetrics metrics) : Hub<IProgressClient>
{
    public override Task OnConnectedAsync()
    {
        metrics.ConnectionOpened(Transport);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
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
                : throw new HubException($"'{Printable(lastEventId)}' is not an event id; expected '<milliseconds>-<sequence>'.");
        }

        HistoryRead read;
        try
        {
            read = await replay.JoinAndReadAsync(Context.ConnectionId, parsed, after, "hub", latestWhenFresh: true, Context.ConnectionAborted);
        }
        catch (HistoryUnavailableException)
        {
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
    public Task Unsubscribe(string topic) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, ParseTopic(topic).ToString(), Context.ConnectionAborted);

    /// <summary>Publishes an event through the same path as HTTP publishing; returns its id.</summary>
    public async Task<string> Publish(string topic, string type, JsonElement data)
    {
        try
        {
            return await publisher.PublishAsync(topic, type, data, null, Context.ConnectionAborted);
        }
        catch (EventRejectedException rejected)
        {
            throw new HubException($"The event was rejected: {rejected.Field}: {rejected.Reason}");
        }
        catch (HistoryUnavailableException)
        {
            throw new HubException("The event store is unavailable right now; publish again shortly.");
        }
    }

    private string Transport => Context.Features.Get<IHttpTransportFeature>()?.TransportType switch
    {
        Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets => "websocket",
        Microsoft.AspNetCore.Http.Connections.HttpTransportType.ServerSentEvents => "sse",
        Microsoft.AspNetCore.Http.Connections.HttpTransportType.LongPolling => "long_polling",
        _ => "other",
    };

    private static Topic ParseTopic(string? topic) =>
        Topic.TryParse(topic, out var parsed, out var error) ? parsed : throw new HubException(error);

    private static string Printable(string value) =>
        new([.. value.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
}
