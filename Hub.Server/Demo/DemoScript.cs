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
    // Guards the outage state: whether an outage is logged and not yet over, and how many publishes had
    // started when that last changed. Only a publish started after the change can change it again, so a
    // publish that was already under way (one that fails just after a recovery, or succeeds just after an
    // outage began, its hand-off being retried) neither logs the outage twice nor ends it early.
    private readonly Lock _outage = new();
    private long _started;
    private bool _down;
    private long _changedAt;

    /// <summary>The current time, for the timestamps the products put in their payloads.</summary>
    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary><see cref="Now"/> as the products write it (ISO 8601, UTC, milliseconds).</summary>
    public string NowText => UtcTimestamp.ToText(clock.GetUtcNow());

    /// <summary>Randomness for ids, sizes and pacing; shared and thread-safe.</summary>
    public static Random Random => Random.Shared;

    /// <summary>
    /// Publishes one event of the job. A failure to reach Redis is logged once per outage, and the
    /// first success after it once.
    /// </summary>
    public async Task EmitAsync(string topic, string type, object data, CancellationToken cancellationToken)
    {
        long ticket;
        lock (_outage)
        {
            ticket = ++_started;
        }

        try
        {
            await publisher.PublishAsync(topic, type, JsonSerializer.SerializeToElement(data), null, cancellationToken);
        }
        catch (RedisUnavailableException unavailable)
        {
            lock (_outage)
            {
                if (!_down && ticket > _changedAt)
                {
                    _down = true;
                    _changedAt = _started;
                    DemoLog.PublishUnavailable(logger, topic, unavailable.Message);
                }
            }

            throw;
        }

        lock (_outage)
        {
            if (_down && ticket > _changedAt)
            {
                _down = false;
                _changedAt = _started;
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
