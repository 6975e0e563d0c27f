using RealtimeHub.Server.Hosting;

namespace RealtimeHub.Server.Demo;

/// <summary>Registers the demo workloads (section <c>Demo</c>); they run only when enabled.</summary>
internal static class DemoExtensions
{
    public static IServiceCollection AddDemoWorkloads(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<DemoOptions>(configuration.GetSection(DemoOptions.Section))
            .PostConfigure<IHostEnvironment>((demo, environment) => demo.Enabled ??= environment.IsDevelopment());
        services.AddHostedService<DemoWorkloads>();
        return services;
    }
}
