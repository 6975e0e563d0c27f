using Microsoft.Extensions.Options;

namespace RealtimeHub.Server.Hosting;

/// <summary>The one way the hub registers a settings class: bound, checked by its data annotations, and checked at start-up.</summary>
internal static class ValidatedOptions
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and validates it when the host starts.</summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, IConfiguration section)
        where TOptions : class =>
        services.AddOptions<TOptions>()
            .Bind(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
