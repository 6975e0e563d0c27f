using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Hosting;

namespace RealtimeHub.Server.Limits;

/// <summary>
/// Rate limits per organisation: a token bucket for publishing and one for new connections
/// (<see cref="TenantRateLimits"/>), answering 429 with <c>Retry-After</c>; plus per-user connection quotas.
/// </summary>
internal static class LimitsExtensions
{
    public static IServiceCollection AddHubLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<LimitsOptions>(configuration.GetSection(LimitsOptions.Section));
        services.AddSingleton<ConnectionQuota>();
        services.AddSingleton<TenantRateLimits>();
        return services;
    }

    /// <summary>Limits the endpoints' requests per tenant with <paramref name="policy"/>'s bucket.</summary>
    public static TBuilder RequireRateLimit<TBuilder>(this TBuilder builder, RateLimitPolicy policy)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RateLimitedEndpoint(policy));

    /// <summary>
    /// Refuses a request to a rate-limited endpoint whose tenant's bucket is empty; after authentication,
    /// since the tenant is the caller's organisation (or merchant, or subject), and anonymous callers'
    /// is their address. A request let through goes on without this middleware waiting for it.
    /// </summary>
    public static IApplicationBuilder UseHubRateLimits(this IApplicationBuilder app)
    {
        var limits = app.ApplicationServices.GetRequiredService<TenantRateLimits>();
        return app.Use(next => http =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<RateLimitedEndpoint>() is not { } limited || limited.AppliesTo?.Invoke(http) == false)
            {
                return next(http);
            }

            using var lease = limits.Acquire(limited.Policy, http.User.Tenant() ?? $"address:{http.Connection.RemoteIpAddress}");
            return lease.IsAcquired ? next(http) : RejectAsync(http, lease);
        });
    }

    private static Task RejectAsync(HttpContext http, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        // A problem body whatever the client accepts: EventSource asks for text/event-stream only.
        return TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests.",
            Detail = "This organisation's rate limit is used up; retry after the Retry-After delay.",
        }).ExecuteAsync(http);
    }

    /// <summary>
    /// The endpoint metadata naming the bucket an endpoint's requests take a token from: all of them, or those
    /// <paramref name="AppliesTo"/> picks.
    /// </summary>
    internal sealed record RateLimitedEndpoint(RateLimitPolicy Policy, Func<HttpContext, bool>? AppliesTo = null);
}
