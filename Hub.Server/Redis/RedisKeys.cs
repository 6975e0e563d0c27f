using RealtimeHub.Contracts.Topics;
using StackExchange.Redis;

namespace RealtimeHub.Server.Redis;

/// <summary>
/// Every Redis key and channel name the hub uses, built in one place. A topic's keys carry the topic as
/// their hash tag (<c>{bom:42}</c>; a topic never contains a brace), so on a Redis Cluster they all live in
/// one hash slot and a script may touch them together.
/// </summary>
internal static class RedisKeys
{
    /// <summary>Prefix of the SignalR backplane's channels, kept apart from the products' own channels.</summary>
    public const string BackplanePrefix = "rh:signalr";

    /// <summary>The stream holding a topic's history.</summary>
    public static RedisKey History(Topic topic) => $"rh:history:{Tag(topic)}";

    /// <summary>The newest id trimmed from a topic's history, so a resume from before it is reported as a reset.</summary>
    public static RedisKey Trimmed(Topic topic) => $"rh:trimmed:{Tag(topic)}";

    /// <summary>The last sequence number given to an event of a topic.</summary>
    public static RedisKey Sequence(Topic topic) => $"rh:seq:{Tag(topic)}";

    /// <summary>Remembers the id stored under an idempotency key of a topic.</summary>
    public static RedisKey Idempotency(Topic topic, string key) => $"rh:idem:{Tag(topic)}:{key}";

    /// <summary>The organisation a topic belongs to.</summary>
    public static RedisKey TopicOwner(Topic topic) => $"rh:owner:{Tag(topic)}";

    /// <summary>The start times of the jobs running on a topic, for ETA estimates.</summary>
    public static RedisKey JobClocks(Topic topic) => $"rh:jobs:{Tag(topic)}";

    /// <summary>The hash tag of a topic's keys: the part of a key Redis Cluster hashes to choose its slot.</summary>
    private static string Tag(Topic topic) => $"{{{topic}}}";

    /// <summary>The dashboard's recently active topics: a sorted set scored by each topic's latest event time in ms.</summary>
    public static readonly RedisKey ActiveTopics = "rh:dashboard:topics";

    /// <summary>
    /// The channels the products' workers publish to with plain <c>PUBLISH</c>, which the bridge
    /// ingests (<c>merchant:{id}:{suffix}</c>, <c>enrichment:{bomId}</c>, <c>batch:{batchId}:progress</c>).
    /// None of the hub's own channels starts with these prefixes. On a Redis Cluster each pattern is
    /// subscribed on the node that serves its hash slot rather than on any node: a subscription placed
    /// freely was at times held on two nodes at once, and the bridge then received each message twice
    /// and stored it as two events.
    /// </summary>
    public static readonly IReadOnlyList<RedisChannel> BridgePatterns =
    [
        RedisChannel.Pattern("merchant:*").WithKeyRouting(),
        RedisChannel.Pattern("enrichment:*").WithKeyRouting(),
        RedisChannel.Pattern("batch:*").WithKeyRouting(),
    ];

    /// <summary>Where a node announces that it has handed a bridged event to the backplane.</summary>
    public static readonly RedisChannel BridgeHandOffs = RedisChannel.Literal("rh:bridge:handoff");
}
