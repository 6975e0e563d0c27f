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
/// History in one Redis Stream per topic. Appends run as one Lua script, so a batch is stored
/// atomically, an idempotency key is checked and recorded in the same step as the append, and the
/// stream is trimmed to <see cref="HistoryOptions.MaxEventsPerTopic"/> and the retention at once.
/// </summary>
internal sealed class RedisEventHistory(RedisConnection redis, IOptions<HistoryOptions> options, TimeProvider clock) : IEventHistory
{
    // KEYS: stream and idempotency key per event. ARGV: max length, oldest id kept, ttl in ms, then
    // per event: uses-key flag, type, timestamp, data. Returns {id, stored} per event.
    private const string AppendScript = """
        local out = {}
        for i = 1, #KEYS / 2 do
          local stream, idem = KEYS[2 * i - 1], KEYS[2 * i]
          local b = 3 + (i - 1) * 4
          local existing = false
          if ARGV[b + 1] == '1' then existing = redis.call('GET', idem) end
          if existing then
            out[i] = {existing, 0}
          else
            local id = redis.call('XADD', stream, 'MAXLEN', ARGV[1], '*', 't', ARGV[b + 2], 'ts', ARGV[b + 3], 'd', ARGV[b + 4])
            redis.call('XTRIM', stream, 'MINID', ARGV[2])
            redis.call('PEXPIRE', stream, ARGV[3])
            if ARGV[b + 1] == '1' then redis.call('SET', idem, id, 'PX', ARGV[3]) end
            out[i] = {id, 1}
          end
        end
        return out
        """;

    // KEYS: the stream. ARGV: id to read after ('' for the latest event only), oldest id kept.
    // Returns {newest trimmed id, oldest retained id, entries}.
    private const string ReadScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return {'', '', {}} end
        redis.call('XTRIM', KEYS[1], 'MINID', ARGV[2])
        local info = redis.call('XINFO', 'STREAM', KEYS[1])
        local trimmed, oldest = '', ''
        for j = 1, #info, 2 do
          if info[j] == 'max-deleted-entry-id' then trimmed = info[j + 1] end
          if info[j] == 'first-entry' and info[j + 1] then oldest = info[j + 1][1] end
        end
        local entries
        if ARGV[1] == '' then
          entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
        else
          entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+')
        end
        return {trimmed, oldest, entries}
        """;

    public async Task<IReadOnlyList<AppendedEvent>> AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var keys = new RedisKey[events.Count * 2];
        var args = new RedisValue[3 + (events.Count * 4)];
        args[0] = limits.MaxEventsPerTopic;
        args[1] = OldestKeptId();
        args[2] = (long)limits.Retention.TotalMilliseconds;
        for (var i = 0; i < events.Count; i++)
        {
            var item = events[i];
            keys[2 * i] = RedisKeys.History(item.Topic);
            keys[(2 * i) + 1] = RedisKeys.Idempotency(item.Topic, item.IdempotencyKey ?? string.Empty);
            var b = 3 + (i * 4);
            args[b] = item.IdempotencyKey is null ? "0" : "1";
            args[b + 1] = item.Type;
            args[b + 2] = UtcTimestamp.ToText(item.Timestamp);
            args[b + 3] = item.DataJson;
        }

        var result = (RedisResult[])(await redis.ExecuteAsync(db => db.ScriptEvaluateAsync(AppendScript, keys, args)))!;
        var appended = new AppendedEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
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
                    Data = ParseData(item.DataJson),
                })
                : new AppendedEvent(id, null);
        }

        return appended;
    }

    public async Task<HistoryRead> ReadAsync(Topic topic, HubEventId? after, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await redis.ExecuteAsync(db => db.ScriptEvaluateAsync(
            ReadScript,
            [RedisKeys.History(topic)],
            [after?.ToString() ?? string.Empty, OldestKeptId()])))!;

        var trimmedText = (string?)result[0];
        var oldest = (string?)result[1];
        var entries = (RedisResult[])result[2]!;
        var events = new List<EventEnvelope>(entries.Length);
        foreach (var entry in entries)
        {
            events.Add(ToEnvelope(topic, (RedisResult[])entry!));
        }

        // A missing stream has no trim record: it expired whole, so only an id older than the
        // retention can have lost events to it.
        var truncated = after is { } from && (HubEventId.TryParse(trimmedText, out var trimmed)
            ? trimmed > from
            : from.Milliseconds < clock.GetUtcNow().Add(-options.Value.Retention).ToUnixTimeMilliseconds());
        return new HistoryRead(events, truncated, string.IsNullOrEmpty(oldest) ? null : oldest);
    }

    public Task PingAsync(CancellationToken cancellationToken) => redis.ExecuteAsync(db => db.PingAsync());

    private static EventEnvelope ToEnvelope(Topic topic, RedisResult[] entry)
    {
        var fields = (RedisResult[])entry[1]!;
        string? type = null, timestamp = null, data = null;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            switch ((string?)fields[i])
            {
                case "t": type = (string?)fields[i + 1]; break;
                case "ts": timestamp = (string?)fields[i + 1]; break;
                case "d": data = (string?)fields[i + 1]; break;
            }
        }

        return new EventEnvelope
        {
            Id = (string)entry[0]!,
            Topic = topic.ToString(),
            Type = type ?? string.Empty,
            Timestamp = timestamp is null ? default : UtcTimestamp.Parse(timestamp),
            Data = ParseData(data ?? "{}"),
        };
    }

    private static JsonElement ParseData(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private string OldestKeptId() =>
        clock.GetUtcNow().Add(-options.Value.Retention).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}
