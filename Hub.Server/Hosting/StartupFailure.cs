using Microsoft.Extensions.Options;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Hosting;

/// <summary>Turns a start-up failure caused by configuration into the one-line reason the process exits with.</summary>
public static class StartupFailure
{
    /// <summary>The reason, or null when <paramref name="exception"/> is not a configuration problem.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        RedisDeploymentException deployment => $"Invalid configuration: {deployment.Message}",
        OptionsValidationException invalid => $"Invalid configuration: {string.Join(" ", invalid.Failures)}",
        InvalidOperationException { InnerException: FormatException or OverflowException or InvalidCastException } binding =>
            $"Invalid configuration: {binding.Message} {binding.InnerException!.Message}",
        IOException io when io.InnerException is System.Net.Sockets.SocketException || io.Message.Contains("address", StringComparison.OrdinalIgnoreCase) =>
            $"Cannot listen: {io.Message}",
        _ => null,
    };
}
