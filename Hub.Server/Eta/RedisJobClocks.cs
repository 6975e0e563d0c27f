using System.Globalization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Redis;
using StackExchange.Redis;

namespace RealtimeHub.Server.Eta;

/// <summary>
/// Job clocks in a Redis hash per topic, so every node estimates from the same first event. A first
/// sighting never changes while its job keeps publishing, so each node keeps a copy for a while
/// (<see cref="CopyLifetime"/>) and asks Redis again only when the copy expires; that visit also keeps
/// the hash from expiring while the job is active.
/// </summary>
internal sealed class RedisJobClocks(RedisConnection redis, IOptions<HistoryOptions> options) : IJobClocks, IDisposable
{
    private const string Part = "The job clocks";

    // The most first sightings a node keeps copies of; past it, a sighting is read from Redis again.
    private const int MaxCopies = 50_000;

    private readonly MemoryCache _copies = new(new MemoryCacheOptions { SizeLimit = MaxCopies });

    // KEYS: the topic's hash. ARGV: job, "ms:percent" of this sighting, ttl in ms. Returns the first sighting.
    private const string Script = """
        redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return redis.call('HGET', KEYS[1], ARGV[1])
        """;

    /// <summary>
    /// How long a node trusts its copy of a first sighting: a quarter of the history retention (the hash's
    /// time to live, renewed by every visit), at most a minute.
    /// </summary>
    private TimeSpan CopyLifetime => TimeSpan.FromTicks(Math.Min(options.Value.Retention.Ticks / 4, TimeSpan.FromMinutes(1).Ticks));

    public async Task<JobStart> GetOrStartAsync(Topic topic, string job, DateTimeOffset now, double percent, CancellationToken cancellationToken)
    {
        var key = (topic, job);
        if (_copies.TryGetValue(key, out JobStart copy))
        {
            return copy;
        }

        var start = await ReadOrStartAsync(topic, job, now, percent);
        _copies.Set(key, start, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = CopyLifetime });
        return start;
    }

    public void Dispose() => _copies.Dispose();

    private async Task<JobStart> ReadOrStartAsync(Topic topic, string job, DateTimeOffset now, double percent)
    {
        var sighting = string.Create(CultureInfo.InvariantCulture, $"{now.ToUnixTimeMilliseconds()}:{percent:R}");
        var first = (string)(await redis.ExecuteAsync(Part, db => db.ScriptEvaluateAsync(
            Script,
            [RedisKeys.JobClocks(topic)],
            [job, sighting, (long)options.Value.Retention.TotalMilliseconds])))!;

        var colon = first.IndexOf(':', StringComparison.Ordinal);
        return new JobStart(
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(first.AsSpan(0, colon), CultureInfo.InvariantCulture)),
            double.Parse(first.AsSpan(colon + 1), CultureInfo.InvariantCulture));
    }
}
