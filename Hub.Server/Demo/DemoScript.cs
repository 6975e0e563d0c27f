using System.Text.Json;
using RealtimeHub.Contracts.Serialization;
using RealtimeHub.Server.Publishing;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Demo;

/// <summary>
/// What a simulated job may do: publish through <see cref="IProgressPublisher"/> (the same path as
/// every real publisher, so ids, history and ETAs are real) and pause in simulated time.
/// </summary>
internal sealed class DemoScript(IProgressPublisher publisher, double speed, TimeProvider clock, ILogger logger)
{
    // Guards the two below: how many publishes have succeeded, and how many had when the outage last logged began.
    private readonly Lock _outage = new();
    private long _successes;
    private long _outageLoggedAt = -1;

    /// <summary>The current time, for the timestamps the products put in their payloads.</summary>
    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary><see cref="Now"/> as the products write it (ISO 8601, UTC, milliseconds).</summary>
    public string NowText => UtcTimestamp.ToText(clock.GetUtcNow());

    /// <summary>Randomness for ids, sizes and pacing; shared and thread-safe.</summary>
    public static Random Random => Random.Shared;

    /// <summary>
    /// Publishes one event of the job. A failure to reach Redis is logged once per outage: only a publish
    /// that started after the last success can report a new one.
    /// </summary>
    public async Task EmitAsync(string topic, string type, object data, CancellationToken cancellationToken)
    {
        long startedAfter;
        lock (_outage)
        {
            startedAfter = _successes;
        }

        try
        {
            await publisher.PublishAsync(topic, type, JsonSerializer.SerializeToElement(data), null, cancellationToken);
        }
        catch (RedisUnavailableException unavailable)
        {
            lock (_outage)
            {
                if (startedAfter == _successes && _outageLoggedAt != startedAfter)
                {
                    _outageLoggedAt = startedAfter;
                    DemoLog.PublishUnavailable(logger, topic, unavailable.Message);
                }
            }

            throw;
        }

        lock (_outage)
        {
            if (_outageLoggedAt == _successes++)
            {
                DemoLog.PublishRecovered(logger);
            }
        }
    }

    /// <summary>Waits about <paramref name="seconds"/> of simulated time, with jitter so jobs do not move in lockstep.</summary>
    public Task PauseAsync(double seconds, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromSeconds(seconds * (0.7 + (Random.NextDouble() * 0.6)) / speed), clock, cancellationToken);

    /// <summary>Simulated seconds since <paramref name="start"/>, as a product would report its elapsed time.</summary>
    public long ElapsedSince(DateTimeOffset start) => (long)((Now - start).TotalSeconds * speed);
}
