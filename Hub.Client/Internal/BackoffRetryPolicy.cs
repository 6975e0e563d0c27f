using Microsoft.AspNetCore.SignalR.Client;

namespace RealtimeHub.Client.Internal;

/// <summary>Delays that grow step by step up to the last one, with a little jitter so clients of one node do not return in lockstep.</summary>
internal sealed class BackoffRetryPolicy(TimeSpan[] steps, TimeSpan? giveUpAfter) : IRetryPolicy
{
    /// <summary>The first retry is at once (another node may be up), then 0.25 s doubling to 10 s, forever.</summary>
    public static BackoffRetryPolicy Reconnect() => new(
        [TimeSpan.Zero, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1),
         TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)],
        giveUpAfter: null);

    /// <summary>0.25 s doubling to 5 s, for a minute.</summary>
    public static BackoffRetryPolicy Publish() => new(
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1),
         TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)],
        giveUpAfter: TimeSpan.FromMinutes(1));

    public TimeSpan? NextRetryDelay(RetryContext retryContext)
    {
        ArgumentNullException.ThrowIfNull(retryContext);
        if (retryContext.ElapsedTime > giveUpAfter)
        {
            return null;
        }

        var step = steps[(int)Math.Min(retryContext.PreviousRetryCount, steps.Length - 1)];
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        return step + (step * (Random.Shared.NextDouble() * 0.1));
#pragma warning restore CA5394
    }
}
