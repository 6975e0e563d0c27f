using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Hosting;

namespace RealtimeHub.Server.Limits;

/// <summary>
/// Rate limits per organisation through ASP.NET Core's rate limiter: a token bucket for publishing and
/// one for new connections, answering 429 with <c>Retry-After</c>; plus per-user connection quotas.
/// </summary>
internal static class LimitsExtensions
{
    public const string PublishPolicy = "publish";
    public const string ConnectPolicy = "connect";

    public static IServiceCollection AddHubLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<LimitsOptions>(configuration.GetSection(LimitsOptions.Section));
        services.AddSingleton<ConnectionQuota>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = WriteRejectionAsync;
            limiter.AddPolicy(PublishPolicy, http => Bucket(http, o => (o.PublishPerSecond, o.PublishBurst)));
            limiter.AddPolicy(ConnectPolicy, http => Bucket(http, o => (o.ConnectionsPerSecond, o.ConnectionsBurst)));
        });
        return services;
    }

    /// <summary>Partitions by organisation (or merchant, or subject); anonymous callers by address.</summary>
    private static RateLimitPartition<string> Bucket(HttpContext http, Func<LimitsOptions, (int PerSecond, int Burst)> select)
    {
        var (perSecond, burst) = select(http.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value);
        var tenant = http.User.Tenant() ?? $"address:{http.Connection.RemoteIpAddress}";
        return RateLimitPartition.GetTokenBucketLimiter(tenant, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask WriteRejectionAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var http = context.HttpContext;
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        // A problem body whatever the client accepts: EventSource asks for text/event-stream only.
        await TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests.",
            Detail = "This organisation's rate limit is used up; retry after the Retry-After delay.",
        }).ExecuteAsync(http);
    }
}
