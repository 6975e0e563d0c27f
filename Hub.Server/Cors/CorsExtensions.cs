namespace RealtimeHub.Server.Cors;

/// <summary>
/// Lets the configured browser origins (<c>Cors__Origins__0</c>, ...) call every route with credentials,
/// which EventSource's <c>withCredentials</c> and the SignalR JavaScript client need.
/// </summary>
internal static class CorsExtensions
{
    public static IServiceCollection AddHubCors(this IServiceCollection services, IConfiguration configuration)
    {
        var origins = configuration.GetSection("Cors:Origins").Get<string[]>() ?? [];
        services.AddCors(options => options.AddDefaultPolicy(policy =>
        {
            if (origins.Length > 0)
            {
                policy.WithOrigins(origins).AllowCredentials().AllowAnyHeader().AllowAnyMethod();
            }
        }));
        return services;
    }
}
