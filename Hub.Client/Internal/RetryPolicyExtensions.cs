using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace RealtimeHub.Client.Internal;

/// <summary>Asks a retry policy for its next delay from a retry count and a start time, the way every retry loop here counts.</summary>
internal static class RetryPolicyExtensions
{
    /// <summary>The delay before the next attempt, or null to give up.</summary>
    /// <param name="policy">The policy to ask.</param>
    /// <param name="previousRetryCount">How many retries have been made so far.</param>
    /// <param name="startedTimestamp">When the failing began, from <see cref="Stopwatch.GetTimestamp"/>.</param>
    /// <param name="reason">The latest failure.</param>
    public static TimeSpan? NextRetryDelay(this IRetryPolicy policy, long previousRetryCount, long startedTimestamp, Exception reason) =>
        policy.NextRetryDelay(new RetryContext
        {
            PreviousRetryCount = previousRetryCount,
            ElapsedTime = Stopwatch.GetElapsedTime(startedTimestamp),
            RetryReason = reason,
        });
}
