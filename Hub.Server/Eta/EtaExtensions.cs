namespace RealtimeHub.Server.Eta;

/// <summary>Registers ETA estimation; <see cref="Hosting.HubBackend"/> chooses where the job clocks live (Redis or memory).</summary>
internal static class EtaExtensions
{
    public static IServiceCollection AddEtaEstimation(this IServiceCollection services)
    {
        services.AddSingleton<EtaEstimator>();
        return services;
    }
}
