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
    private int _unavailable;

    /// <summary>The current time, for the timestamps the products put in their payloads.</summary>
    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary><see cref="Now"/> as the products write it (ISO 8601, UTC, milliseconds).</summary>
    public string NowText => UtcTimestamp.ToText(clock.GetUtcNow());

    /// <summary>Randomness for ids, sizes and pacing; shared and thread-safe.</summary>
    public static Random Random => Random.Shared;

    /// <summary>Publishes one event of the job.</summary>
    public async Task EmitAsync(string topic, string type, object data, CancellationToken cancellationToken)
    {
        await publisher.PublishAsync(topic, type, JsonSerializer.SerializeToElement(data), null, cancellationToken);
        if (Interlocked.Exchange(ref _unavailable, 0) == 1)
        {
            DemoLog.PublishRecovered(logger);
        }
    }

    /// <summary>Waits about <paramref name="seconds"/> of simulated time, with jitter so jobs do not move in lockstep.</summary>
    public Task PauseAsync(double seconds, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromSeconds(seconds * (0.7 + (Random.NextDouble() * 0.6)) / speed), clock, cancellationToken);

    /// <summary>Simulated seconds since <paramref name="start"/>, as a product would report its elapsed time.</summary>
    public long ElapsedSince(DateTimeOffset start) => (long)((Now - start).TotalSeconds * speed);

    /// <summary>Logs that publishing failed, once per outage rather than once per job.</summary>
    public void NoteUnavailable(string topic, RedisUnavailableException exception)
    {
        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            DemoLog.PublishUnavailable(logger, topic, exception.Message);
        }
    }
}
