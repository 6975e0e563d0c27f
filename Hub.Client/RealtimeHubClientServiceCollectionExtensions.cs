using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RealtimeHub.Client;

// In the namespace of IServiceCollection, as ASP.NET Core's own AddXxx extensions are, so no using is needed.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the RealtimeHub client and publisher.</summary>
public static class RealtimeHubClientServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> the publisher gets from <c>IHttpClientFactory</c>.</summary>
    public const string HttpClientName = "RealtimeHub.Publisher";

    /// <summary>
    /// Registers <see cref="RealtimeHubClient"/> as a singleton and <see cref="RealtimeHubPublisher"/> over
    /// <c>IHttpClientFactory</c>, both configured by <paramref name="configure"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the hub's URLs and the client's settings.</param>
    public static IServiceCollection AddRealtimeHubClient(this IServiceCollection services, Action<RealtimeHubClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RealtimeHubClientOptions>()
            .Configure(configure)
            .Validate(options => options.Urls.Count > 0, "RealtimeHubClientOptions.Urls is empty; add the hub's URL (or one per node).");
        services.AddHttpClient(HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton(provider => new RealtimeHubClient(
            provider.GetRequiredService<IOptions<RealtimeHubClientOptions>>().Value, provider.GetService<ILoggerFactory>()));
        services.AddSingleton(provider => new RealtimeHubPublisher(
            provider.GetRequiredService<IHttpClientFactory>(),
            HttpClientName,
            provider.GetRequiredService<IOptions<RealtimeHubClientOptions>>().Value,
            provider.GetService<ILogger<RealtimeHubPublisher>>()));
        return services;
    }
}
