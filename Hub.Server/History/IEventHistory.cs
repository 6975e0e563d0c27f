using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.History;

/// <summary>
/// The per-topic event history. Contract for implementations:
/// <list type="bullet">
/// <item>ids are assigned on append and strictly increase within a topic;</item>
/// <item>an append of several events is atomic: all are stored or none is;</item>
/// <item>an idempotency key already used on the topic returns its first id and stores nothing, for as long
/// as the key is remembered (<see cref="NewEvent.IdempotencyKeyLifetime"/>, or the retention); the outcome
/// carries the event stored under the key (<see cref="AppendedEvent.Original"/>) while the topic still holds it;</item>
/// <item>each topic keeps at most <see cref="HistoryOptions.MaxEventsPerTopic"/> events, none older than the retention;</item>
/// <item>failures to reach the store surface as <see cref="Redis.RedisUnavailableException"/>.</item>
/// </list>
/// </summary>
internal interface IEventHistory
{
    /// <summary>Stores <paramref name="events"/> atomically, in order, and returns one outcome per event.</summary>
    Task<IReadOnlyList<AppendedEvent>> AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken);

    /// <summary>The events after <paramref name="after"/>, in order; without an id, the latest event only.</summary>
    Task<HistoryRead> ReadAsync(Topic topic, HubEventId? after, CancellationToken cancellationToken);

    /// <summary>Throws <see cref="Redis.RedisUnavailableException"/> unless the store answers.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
