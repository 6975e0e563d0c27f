using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Hosting;
using RealtimeHub.Server.Publishing;

namespace RealtimeHub.Server.Dashboard;

/// <summary>
/// The live dashboard: the page at <c>/</c>, its files at <c>/dashboard/{file}</c>, and the reads it
/// makes (<c>GET /api/topics</c>, <c>GET /api/stats</c>). Live updates come from <c>/api/sse</c>.
/// </summary>
internal static class DashboardExtensions
{
    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<DashboardOptions>(configuration.GetSection(DashboardOptions.Section));
        services.AddSingleton<IPublishObserver>(provider => provider.GetRequiredService<IActiveTopics>());
        services.AddSingleton<ConnectionTally>();
        services.AddSingleton<DashboardPage>();
        return services;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        // Created now, before the server listens, so the tally sees every connection open and close.
        app.Services.GetRequiredService<ConnectionTally>();

        // The page needs a caller when auth is on (the token rides in ?access_token=). Its script and
        // styles carry no data, and a browser does not pass the page's query on to them.
        app.MapGet("/", (HttpContext http, DashboardPage page) => page.Serve(http, "index.html"))
            .RequireCaller(app)
            .ExcludeFromDescription();
        app.MapGet("/dashboard/{file}", (string file, HttpContext http, DashboardPage page) => page.Serve(http, file))
            .ExcludeFromDescription();
        app.MapDashboardApi();
        return app;
    }
}
