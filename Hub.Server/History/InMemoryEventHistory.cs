using System.Text.Json;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.History;

/// <summary>
/// The embedded default's history: a bounded list per topic in this process, with the same ids,
/// trimming and idempotency rules as the Redis store, so one node behaves identically either way.
/// </summary>
internal sealed class InMemoryEventHistory(IOptions<HistoryOptions> options, TimeProvider clock) : IEventHistory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Topic, TopicLog> _topics = [];

    public Task<IReadOnlyList<AppendedEvent>> AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
    {
        var results = new AppendedEvent[events.Count];
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            for (var i = 0; i < events.Count; i++)
            {
                var item = events[i];
                var log = LogFor(item.Topic);
                log.Trim(options.Value, now);
                if (item.IdempotencyKey is not null
                    && log.IdempotencyKeys.TryGetValue(item.IdempotencyKey, out var known)
                    && known.ExpiresAt > now)
                {
                    results[i] = new AppendedEvent(known.Id, null) { Original = item.WantsOriginal ? log.Find(known.Id) : null };
                    continue;
                }

                var id = log.NextId(now);
                var envelope = new EventEnvelope
                {
                    Id = id.ToString(),
                    Topic = item.Topic.ToString(),
                    Type = item.Type,
                    Timestamp = item.Timestamp,
                    Seq = log.NextSeq(),
                    Data = Parse(item.DataJson),
                    TraceParent = item.TraceParent,
                };
                log.Events.Enqueue(new(id, envelope));
                if (item.IdempotencyKey is not null)
                {
                    var expiresAt = now + (item.IdempotencyKeyLifetime ?? options.Value.Retention);
                    log.IdempotencyKeys[item.IdempotencyKey] = (envelope.Id, expiresAt);
                    log.KeyOrder.Enqueue((item.IdempotencyKey, expiresAt));
                }

                log.Trim(options.Value, now);
                results[i] = new AppendedEvent(envelope.Id, envelope);
            }
        }

        return Task.FromResult<IReadOnlyList<AppendedEvent>>(results);
    }

    public Task<HistoryRead> ReadAsync(Topic topic, HubEventId? after, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var log))
            {
                return Task.FromResult(HistoryRead.Empty);
            }

            log.Trim(options.Value, clock.GetUtcNow());
            var oldest = log.Events.Count > 0 ? log.Events.Peek().Envelope.Id : null;
            if (after is not { } from)
            {
                IReadOnlyList<EventEnvelope> latest = log.Events.Count > 0 ? [log.Events.Last().Envelope] : [];
                return Task.FromResult(new HistoryRead(latest, false, oldest));
            }

            var missed = log.Events.Where(e => e.Id > from).Select(e => e.Envelope).ToList();
            var truncated = log.LastTrimmed is { } trimmed && trimmed > from;
            return Task.FromResult(new HistoryRead(missed, truncated, oldest));
        }
    }

    public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private TopicLog LogFor(Topic topic)
    {
        if (!_topics.TryGetValue(topic, out var log))
        {
            log = new TopicLog();
            _topics[topic] = log;
        }

        return log;
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private sealed class TopicLog
    {
        private HubEventId _last;
        private long _seq;

        public Queue<(HubEventId Id, EventEnvelope Envelope)> Events { get; } = new();

        public Dictionary<string, (string Id, DateTimeOffset ExpiresAt)> IdempotencyKeys { get; } = new(StringComparer.Ordinal);

        /// <summary>Keys in the order they were recorded. A short-lived key queued behind a longer-lived one stays in memory until that one goes, but lookups check each key's own expiry.</summary>
        public Queue<(string Key, DateTimeOffset ExpiresAt)> KeyOrder { get; } = new();

        /// <summary>The newest id ever trimmed, like Redis's <c>max-deleted-entry-id</c>.</summary>
        public HubEventId? LastTrimmed { get; private set; }

        /// <summary>Redis Stream id rules: the clock's milliseconds, or the last id's plus one in sequence.</summary>
        public HubEventId NextId(DateTimeOffset now)
        {
            var ms = now.ToUnixTimeMilliseconds();
            _last = ms > _last.Milliseconds ? new HubEventId(ms, 0) : _last with { Sequence = _last.Sequence + 1 };
            return _last;
        }

        /// <summary>
        /// The retained event with <paramref name="id"/>, or null once trimmed. Scanned for rather than kept
        /// with its idempotency key, which would hold a trimmed event in memory as long as the key lives;
        /// only a duplicate asks.
        /// </summary>
        public EventEnvelope? Find(string id)
        {
            foreach (var (_, envelope) in Events)
            {
                if (string.Equals(envelope.Id, id, StringComparison.Ordinal))
                {
                    return envelope;
                }
            }

            return null;
        }

        /// <summary>The topic's next sequence number: 1, 2, 3, ...</summary>
        public long NextSeq() => ++_seq;

        public void Trim(HistoryOptions limits, DateTimeOffset now)
        {
            var cutoff = now - limits.Retention;
            while (Events.Count > 0 && (Events.Count > limits.MaxEventsPerTopic || Events.Peek().Envelope.Timestamp < cutoff))
            {
                LastTrimmed = Events.Dequeue().Id;
            }

            while (KeyOrder.Count > 0 && KeyOrder.Peek().ExpiresAt <= now)
            {
                var (key, expiresAt) = KeyOrder.Dequeue();
                if (IdempotencyKeys.TryGetValue(key, out var entry) && entry.ExpiresAt == expiresAt)
                {
                    IdempotencyKeys.Remove(key);
                }
            }
        }
    }
}
