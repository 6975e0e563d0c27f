using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using RealtimeHub.Server.Limits;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Auth;

/// <summary>
/// The token buckets behind the rate limits, refilled on request rather than by timers: separate per tenant
/// and per policy, refilled for the time that passed, and full buckets dropped by a sweep that keeps used ones.
/// (<see cref="LimitTests"/> covers the 429 answers on a running node.)
/// </summary>
public sealed class TenantRateLimitsTests
{
    [Fact]
    public void A_tenant_past_its_burst_is_refused_with_a_retry_after_while_other_tenants_and_its_other_bucket_are_not()
    {
        var limits = Limits(new LimitsOptions { PublishPerSecond = 1, PublishBurst = 1000, ConnectionsPerSecond = 1, ConnectionsBurst = 1 });

        // Taken until refused: the burst, plus at most the one token a second a slow machine lets refill meanwhile.
        var taking = Stopwatch.StartNew();
        var admitted = 0;
        RateLimitLease lease;
        while ((lease = limits.Acquire(RateLimitPolicy.Publish, "org-a")).IsAcquired)
        {
            lease.Dispose();
            admitted++;
        }

        using (lease)
        {
            Assert.InRange(admitted, 1000, 1000 + (int)Math.Ceiling(taking.Elapsed.TotalSeconds));
            Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {retryAfter}");
        }

        Assert.True(Take(limits, RateLimitPolicy.Publish, "org-b"), "another organisation has a bucket of its own");
        Assert.True(Take(limits, RateLimitPolicy.Connect, "org-a"), "connecting draws from a bucket of its own");
    }

    [Fact]
    public async Task An_emptied_bucket_refills_for_the_time_that_passed()
    {
        var limits = Limits(new LimitsOptions { ConnectionsPerSecond = 1, ConnectionsBurst = 1 });
        Assert.True(Take(limits, RateLimitPolicy.Connect, "org-a"));

        // At least a second and a tenth passes, so at least one token is back.
        await Task.Delay(TimeSpan.FromSeconds(1.1));

        Assert.True(Take(limits, RateLimitPolicy.Connect, "org-a"), "no token was back after more than a second at one a second");
    }

    [Fact]
    public async Task Full_buckets_are_dropped_once_the_sweep_is_due_and_a_used_one_is_kept()
    {
        var clock = new ShiftedClock();
        // Publishing refills a token a millisecond; connecting one a second against a burst of 1,000.
        var limits = Limits(new LimitsOptions { PublishPerSecond = 1000, PublishBurst = 1000, ConnectionsPerSecond = 1, ConnectionsBurst = 1000 }, clock);

        // The first sweep falls due 10 s after the limits were made; the clock goes an hour back, so it cannot
        // fall due on its own however slowly this test runs, only when the clock is moved past it below.
        var holdBack = TimeSpan.FromHours(1);
        clock.Advance(-holdBack);
        for (var i = 0; i < 50; i++)
        {
            Assert.True(Take(limits, RateLimitPolicy.Publish, $"quiet-{i}"));
        }

        while (Take(limits, RateLimitPolicy.Connect, "busy"))
        {
        }

        // The quiet tenants' buckets are full again after a millisecond; the busy one needs 1,000 seconds.
        await Task.Delay(TimeSpan.FromMilliseconds(20));
        Assert.True(Take(limits, RateLimitPolicy.Publish, "first-trigger"));
        Assert.Equal(52, limits.Count);
        await Task.Delay(TimeSpan.FromMilliseconds(20));

        clock.Advance(holdBack + TenantRateLimits.SweepInterval);
        Assert.True(Take(limits, RateLimitPolicy.Publish, "second-trigger"));

        // Left: the busy tenant's emptied bucket, and the one the sweeping request took its token from (made after
        // the sweep). The first trigger's bucket was full again, like the quiet ones.
        Assert.Equal(2, limits.Count);
    }

    private static TenantRateLimits Limits(LimitsOptions options, TimeProvider? clock = null) =>
        new(Options.Create(options), clock ?? TimeProvider.System);

    private static bool Take(TenantRateLimits limits, RateLimitPolicy policy, string tenant)
    {
        using var lease = limits.Acquire(policy, tenant);
        return lease.IsAcquired;
    }
}
