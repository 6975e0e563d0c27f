namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// The system clock plus an offset a test can move (forward, or back to hold off something due), so "a minute later" needs no waiting while
/// ids, retention and timestamps keep following real time.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock by <paramref name="by"/>: forward, or back when negative.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
