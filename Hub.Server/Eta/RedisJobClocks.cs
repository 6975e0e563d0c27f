using System.Globalization;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Redis;
using StackExchange.Redis;

namespace RealtimeHub.Server.Eta;

/// <summary>Job clocks in a Redis hash per topic, so every node estimates from the same first event.</summary>
internal sealed class RedisJobClocks(RedisConnection redis, IOptions<HistoryOptions> options) : IJobClocks
{
    private const string Part = "The job clocks";

    // KEYS: the topic's hash. ARGV: job, "ms:percent" of this sighting, ttl in ms. Returns the first sighting.
    private const string Script = """
        redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return redis.call('HGET', KEYS[1], ARGV[1])
        """;

    public async Task<JobStart> GetOrStartAsync(Topic topic, string job, DateTimeOffset now, double percent, CancellationToken cancellationToken)
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
