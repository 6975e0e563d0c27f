using System.Text.Json;
using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Contracts.Hub;

/// <summary>What a client may call on the progress hub (docs/contract.md, SignalR hub).</summary>
public interface IProgressHub
{
    /// <summary>
    /// Joins <paramref name="topic"/> and returns what the caller missed: the events after
    /// <paramref name="lastEventId"/>, or without one the topic's latest event.
    /// </summary>
    Task<IReadOnlyList<EventEnvelope>> Subscribe(string topic, string? lastEventId);

    /// <summary>Leaves <paramref name="topic"/>.</summary>
    Task Unsubscribe(string topic);

    /// <summary>Publishes an event (publisher role); returns its id.</summary>
    Task<string> Publish(string topic, string type, JsonElement data);
}
