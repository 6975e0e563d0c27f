using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Serialization;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Redis;
using StackExchange.Redis;

namespace RealtimeHub.Server.History;

/// <summary>
/// History in one Redis Stream per topic. Appends run as one Lua script (per hash slot on a Redis
/// Cluster), so a batch is stored atomically, an idempotency key is checked and recorded in the same
/// step as the append, and the stream is trimmed to <see cref="HistoryOptions.MaxEventsPerTopic"/> and
/// the retention at once. With <see cref="RedisConnectionOptions.ReplicasToAcknowledge"/> an append returns
/// only once that many replicas hold it.
/// </summary>
internal sealed class RedisEventHistory(RedisConnection redis, IOptions<HistoryOptions> options, TimeProvider clock) : IEventHistory
{
    private const string Part = "The history store";

    // Trims a stream to a length (or false for none) and to ids from minid on, and records the newest
    // id it removed in the marker key: Redis's own max-deleted-entry-id only follows XDEL, not trimming,
    // and without it a resume from before the retained history would skip events silently.
    private const string TrimFunction = """
        local function trim(stream, marker, maxlen, minid, ttl)
          local newest = false
          if maxlen then
            local excess = redis.call('XLEN', stream) - tonumber(maxlen)
            if excess > 0 then
              local gone = redis.call('XRANGE', stream, '-', '+', 'COUNT', excess)
              newest = gone[#gone][1]
              redis.call('XTRIM', stream, 'MAXLEN', maxlen)
            end
          end
          local expired = redis.call('XREVRANGE', stream, '(' .. minid, '-', 'COUNT', 1)
          if #expired > 0 then
            newest = expired[1][1]
            redis.call('XTRIM', stream, 'MINID', minid)
          end
          if newest then redis.call('SET', marker, newest, 'PX', ttl) end
        end

        """;

    // KEYS: stream, idempotency key, trim marker and sequence counter per event. ARGV: max length,
    // oldest id kept, ttl in ms, then per event: key flag ('0' none, '1' a key, '2' a key and the original
    // wanted back on a duplicate), key ttl in ms, type, timestamp, data, traceparent ('' for none; stored
    // as the entry's 'tp' field only when there is one).
    // Returns {id, 1, seq} per event stored, and {id, 0, 0, entries} per duplicate, entries being the
    // stream entry stored under the key when wanted (none once trimmed, or when not wanted), read in the
    // same call so that the caller can hand it on again. The counter lives as long as the stream: should
    // both expire, the topic starts again at 1 with later ids, which a node tells apart from an old event.
    private const string AppendScript = TrimFunction + """
        local out = {}
        for i = 1, #KEYS / 4 do
          local stream, idem, marker, counter = KEYS[4 * i - 3], KEYS[4 * i - 2], KEYS[4 * i - 1], KEYS[4 * i]
          local b = 3 + (i - 1) * 6
          local existing = false
          if ARGV[b + 1] ~= '0' then existing = redis.call('GET', idem) end
          if existing then
            local original = {}
            if ARGV[b + 1] == '2' then original = redis.call('XRANGE', stream, existing, existing) end
            out[i] = {existing, 0, 0, original}
          else
            local seq = redis.call('INCR', counter)
            local id
            if ARGV[b + 6] == '' then
              id = redis.call('XADD', stream, '*', 't', ARGV[b + 3], 'ts', ARGV[b + 4], 'd', ARGV[b + 5], 's', seq)
            else
              id = redis.call('XADD', stream, '*', 't', ARGV[b + 3], 'ts', ARGV[b + 4], 'd', ARGV[b + 5], 's', seq, 'tp', ARGV[b + 6])
            end
            trim(stream, marker, ARGV[1], ARGV[2], ARGV[3])
            redis.call('PEXPIRE', stream, ARGV[3])
            redis.call('PEXPIRE', marker, ARGV[3])
            redis.call('PEXPIRE', counter, ARGV[3])
            if ARGV[b + 1] ~= '0' then redis.call('SET', idem, id, 'PX', ARGV[b + 2]) end
            out[i] = {id, 1, seq}
          end
        end
        return out
        """;

    // KEYS: the stream and its trim marker. ARGV: id to read after ('' for the latest event only),
    // oldest id kept, ttl in ms. Returns {stream exists, newest trimmed id, oldest retained id, entries}.
    private const string ReadScript = TrimFunction + """
        if redis.call('EXISTS', KEYS[1]) == 0 then return {0, '', '', {}} end
        trim(KEYS[1], KEYS[2], false, ARGV[2], ARGV[3])
        local trimmed = redis.call('GET', KEYS[2]) or ''
        local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
        local oldest = ''
        if #first > 0 then oldest = first[1][1] end
        local entries
        if ARGV[1] == '' then
          entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
        else
          entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+')
        end
        return {1, trimmed, oldest, entries}
        """;

    public async Task<IReadOnlyList<AppendedEvent>> AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
    {
        // A Redis Cluster runs a script only on keys of one hash slot, so each slot's events are appended
        // by a script of their own; on one server or under Sentinel the whole batch is one script.
        var slots = new Dictionary<int, List<int>>();
        for (var i = 0; i < events.Count; i++)
        {
            var slot = await redis.HashSlotAsync(Part, RedisKeys.History(events[i].Topic));
            if (!slots.TryGetValue(slot, out var indexes))
            {
                slots[slot] = indexes = [];
            }

            indexes.Add(i);
        }

        var appended = new AppendedEvent[events.Count];
        foreach (var indexes in slots.Values)
        {
            var stored = await AppendInOneSlotAsync([.. indexes.Select(i => events[i])]);
            for (var j = 0; j < indexes.Count; j++)
            {
                appended[indexes[j]] = stored[j];
            }
        }

        return appended;
    }

    private async Task<AppendedEvent[]> AppendInOneSlotAsync(NewEvent[] events)
    {
        var limits = options.Value;
        var keys = new RedisKey[events.Length * 4];
        var args = new RedisValue[3 + (events.Length * 6)];
        args[0] = limits.MaxEventsPerTopic;
        args[1] = OldestKeptId();
        args[2] = (long)limits.Retention.TotalMilliseconds;
        for (var i = 0; i < events.Length; i++)
        {
            var item = events[i];
            keys[4 * i] = RedisKeys.History(item.Topic);
            keys[(4 * i) + 1] = RedisKeys.Idempotency(item.Topic, item.IdempotencyKey ?? string.Empty);
            keys[(4 * i) + 2] = RedisKeys.Trimmed(item.Topic);
            keys[(4 * i) + 3] = RedisKeys.Sequence(item.Topic);
            var b = 3 + (i * 6);
            args[b] = item.IdempotencyKey is null ? "0" : item.WantsOriginal ? "2" : "1";
            args[b + 1] = (long)(item.IdempotencyKeyLifetime ?? limits.Retention).TotalMilliseconds;
            args[b + 2] = item.Type;
            args[b + 3] = UtcTimestamp.ToText(item.Timestamp);
            args[b + 4] = item.DataJson;
            args[b + 5] = item.TraceParent ?? string.Empty;
        }

        var result = (RedisResult[])(await redis.ExecuteReplicatedAsync(Part, keys[0], db => db.ScriptEvaluateAsync(AppendScript, keys, args)))!;
        var appended = new AppendedEvent[events.Length];
        for (var i = 0; i < events.Length; i++)
        {
            var pair = (RedisResult[])result[i]!;
            var id = (string)pair[0]!;
            var item = events[i];
            appended[i] = (int)pair[1] == 1
                ? new AppendedEvent(id, new EventEnvelope
                {
                    Id = id,
                    Topic = item.Topic.ToString(),
                    Type = item.Type,
                    Timestamp = item.Timestamp,
                    Seq = (long)pair[2],
                    Data = ParseData(item.DataJson),
                    TraceParent = item.TraceParent,
                })
                : new AppendedEvent(id, null)
                {
                    Original = (RedisResult[])pair[3]! is [var entry] ? ToEnvelope(item.Topic, (RedisResult[])entry!) : null,
                };
        }

        return appended;
    }

    public async Task<HistoryRead> ReadAsync(Topic topic, HubEventId? after, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await redis.ExecuteAsync(Part, db => db.ScriptEvaluateAsync(
            ReadScript,
            [RedisKeys.History(topic), RedisKeys.Trimmed(topic)],
            [after?.ToString() ?? string.Empty, OldestKeptId(), (long)options.Value.Retention.TotalMilliseconds])))!;

        var exists = (int)result[0] == 1;
        var trimmedText = (string?)result[1];
        var oldest = (string?)result[2];
        var entries = (RedisResult[])result[3]!;
        var events = new List<EventEnvelope>(entries.Length);
        foreach (var entry in entries)
        {
            events.Add(ToEnvelope(topic, (RedisResult[])entry!));
        }

        // A missing stream expired whole, so only an id older than the retention can have lost events
        // to it; an existing stream without a trim marker has never lost any. The beginning (0-0) is the
        // position of a subscription that began on an empty topic: a topic still missing has lost nothing.
        var truncated = after is { } from && (exists
            ? HubEventId.TryParse(trimmedText, out var trimmed) && trimmed > from
            : from != HubEventId.Beginning && from.Milliseconds < clock.GetUtcNow().Add(-options.Value.Retention).ToUnixTimeMilliseconds());
        return new HistoryRead(events, truncated, string.IsNullOrEmpty(oldest) ? null : oldest);
    }

    public Task PingAsync(CancellationToken cancellationToken) => redis.ExecuteAsync(Part, db => db.PingAsync());

    private static EventEnvelope ToEnvelope(Topic topic, RedisResult[] entry)
    {
        var fields = (RedisResult[])entry[1]!;
        string? type = null, timestamp = null, data = null, traceParent = null;
        long seq = 0;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            switch ((string?)fields[i])
            {
                case "t": type = (string?)fields[i + 1]; break;
                case "ts": timestamp = (string?)fields[i + 1]; break;
                case "d": data = (string?)fields[i + 1]; break;
                case "s": seq = (long)fields[i + 1]; break;
                case "tp": traceParent = (string?)fields[i + 1]; break;
            }
        }

        return new EventEnvelope
        {
            Id = (string)entry[0]!,
            Topic = topic.ToString(),
            Type = type ?? string.Empty,
            Timestamp = timestamp is null ? default : UtcTimestamp.Parse(timestamp),
            Seq = seq,
            Data = ParseData(data ?? "{}"),
            TraceParent = traceParent,
        };
    }

    private static JsonElement ParseData(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>The smallest id within the retention, as a full id so the scripts can use it as an exclusive bound.</summary>
    private string OldestKeptId() =>
        string.Create(CultureInfo.InvariantCulture, $"{clock.GetUtcNow().Add(-options.Value.Retention).ToUnixTimeMilliseconds()}-0");
}
