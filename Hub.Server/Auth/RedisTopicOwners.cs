using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Redis;
using StackExchange.Redis;

namespace RealtimeHub.Server.Auth;

/// <summary>Topic owners in Redis, so every node enforces the same organisation.</summary>
internal sealed class RedisTopicOwners(RedisConnection redis, IOptions<HistoryOptions> options) : ITopicOwners
{
    private const string Part = "The topic owners";

    // KEYS: the owner key. ARGV: organisation, ttl in ms. Records unless set, refreshes the ttl, returns the owner.
    private const string ClaimScript = """
        redis.call('SET', KEYS[1], ARGV[1], 'NX')
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return redis.call('GET', KEYS[1])
        """;

    public async Task<string?> GetAsync(Topic topic, CancellationToken cancellationToken) =>
        await redis.ExecuteAsync(Part, db => db.StringGetAsync(RedisKeys.TopicOwner(topic)));

    public async Task<string> ClaimAsync(Topic topic, string organization, CancellationToken cancellationToken) =>
        (string)(await redis.ExecuteAsync(Part, db => db.ScriptEvaluateAsync(
            ClaimScript,
            [RedisKeys.TopicOwner(topic)],
            [organization, (long)options.Value.Retention.TotalMilliseconds])))!;
}
