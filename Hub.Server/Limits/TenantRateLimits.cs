using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace RealtimeHub.Server.Limits;

/// <summary>
/// The per-tenant token buckets behind the publish and connect rate limits: one
/// <see cref="TokenBucketRateLimiter"/> per policy and tenant, refilled for the time that passed when a
/// request asks for a token instead of by a timer. ASP.NET Core's rate-limiting middleware keeps its
/// partitions in a limiter whose timer fires ten times a second on every node, busy or idle
/// (dotnet/runtime#118112): 0.15 % of a core, nearly a third of what an idle node used, for limits that only
/// matter when requests arrive (BENCHMARKS.md, "No rate-limiting timer"). A bucket left full (its tenant
/// quiet) is dropped by a sweep that a request runs at most every <see cref="SweepInterval"/>.
/// </summary>
internal sealed class TenantRateLimits(IOptions<LimitsOptions> options, TimeProvider clock)
{
    /// <summary>How often, at most, full buckets are dropped.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(RateLimitPolicy Policy, string Tenant), TokenBucketRateLimiter> _buckets = new();
    private long _nextSweepTicks = (clock.GetUtcNow() + SweepInterval).UtcTicks;

    /// <summary>Buckets held, for tests.</summary>
    internal int Count => _buckets.Count;

    /// <summary>Takes one token from <paramref name="tenant"/>'s bucket for <paramref name="policy"/>; a refused lease carries the wait as <see cref="MetadataName.RetryAfter"/>.</summary>
    public RateLimitLease Acquire(RateLimitPolicy policy, string tenant)
    {
        SweepIfDue();
        var bucket = _buckets.GetOrAdd((policy, tenant), static (key, limits) => NewBucket(key.Policy, limits), options.Value);
        bucket.TryReplenish();
        return bucket.AttemptAcquire();
    }

    private static TokenBucketRateLimiter NewBucket(RateLimitPolicy policy, LimitsOptions limits)
    {
        var (perSecond, burst) = policy == RateLimitPolicy.Publish
            ? (limits.PublishPerSecond, limits.PublishBurst)
            : (limits.ConnectionsPerSecond, limits.ConnectionsBurst);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = false,
        });
    }

    /// <summary>
    /// Drops the buckets that are full again. A request racing the sweep may still take a token from a
    /// dropped bucket while the next one starts full: one token more, once, for a tenant that was quiet.
    /// </summary>
    private void SweepIfDue()
    {
        var now = clock.GetUtcNow().UtcTicks;
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextSweepTicks, now + SweepInterval.Ticks, due) != due)
        {
            return;
        }

        foreach (var (key, bucket) in _buckets)
        {
            bucket.TryReplenish();
            if (bucket.IdleDuration is not null)
            {
                _buckets.TryRemove(new KeyValuePair<(RateLimitPolicy, string), TokenBucketRateLimiter>(key, bucket));
            }
        }
    }
}
