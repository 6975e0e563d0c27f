using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Redis;
using StackExchange.Redis;

namespace RealtimeHub.Server.Dashboard;

/// <summary>
/// Active topics in one Redis sorted set (member: topic, score: time of its latest event in ms),
/// written by every node's publishes, so every node lists the same topics.
/// </summary>
internal sealed class RedisActiveTopics(RedisConnection redis, ILogger<RedisActiveTopics> logger) : IActiveTopics
{
    private const string Part = "The dashboard's active topics";

    /// <summary>Topics remembered; the least recently active are trimmed first.</summary>
    internal const int Capacity = 1000;

    // Trimming by rank is cheap but not free, so it runs once every so many publishes.
    private const int TrimEvery = 100;

    private long _recorded;
    private int _failing;

    public void Published(EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);

        // Fire-and-forget: this runs on the publishing path and must not add a round trip.
        _ = RecordAsync(envelope.Topic, envelope.Timestamp);
    }

    public async Task<IReadOnlyList<ActiveTopic>> RecentAsync(DateTimeOffset since, int count, CancellationToken cancellationToken)
    {
        var entries = await redis.ExecuteAsync(Part, db => db.SortedSetRangeByScoreWithScoresAsync(
            RedisKeys.ActiveTopics, since.ToUnixTimeMilliseconds(), double.PositiveInfinity, Exclude.None, Order.Descending, 0, count));
        var recent = new List<ActiveTopic>(entries.Length);
        foreach (var entry in entries)
        {
            if (Topic.TryParse(entry.Element.ToString(), out var topic, out _))
            {
                recent.Add(new ActiveTopic(topic, DateTimeOffset.FromUnixTimeMilliseconds((long)entry.Score)));
            }
        }

        return recent;
    }

    private async Task RecordAsync(string topic, DateTimeOffset at)
    {
        try
        {
            var db = (await redis.GetAsync()).GetDatabase();
            // Concurrent publishes to a topic may report out of order: only a later time replaces the score.
            db.SortedSetAdd(RedisKeys.ActiveTopics, topic, at.ToUnixTimeMilliseconds(), SortedSetWhen.GreaterThan, CommandFlags.FireAndForget);
            if (Interlocked.Increment(ref _recorded) % TrimEvery == 0)
            {
                db.SortedSetRemoveRangeByRank(RedisKeys.ActiveTopics, 0, -(Capacity + 1), CommandFlags.FireAndForget);
            }

            if (Interlocked.Exchange(ref _failing, 0) == 1)
            {
                DashboardLog.ActiveTopicsRecovered(logger);
            }
        }
#pragma warning disable CA1031 // Bookkeeping beside the event's path: a failure here must never reach a publisher.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (Interlocked.Exchange(ref _failing, 1) == 0)
            {
                DashboardLog.ActiveTopicsUnrecorded(logger, ex);
            }
        }
    }
}
