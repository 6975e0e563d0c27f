using System.Diagnostics;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>Runs Debian's <c>redis-cli</c>, the tool operators use to set up and inspect a deployment.</summary>
public static class RedisCli
{
    /// <summary>Runs <c>redis-cli -h 127.0.0.1</c> with <paramref name="arguments"/>; returns its output, or throws with its error when it exits non-zero or answers an error.</summary>
    public static async Task<string> RunAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-h");
        start.ArgumentList.Add("127.0.0.1");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output;
        if (process.ExitCode != 0 || text.StartsWith("ERR", StringComparison.Ordinal) || text.StartsWith("Could not connect", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', start.ArgumentList)} failed: {text}{await error}");
        }

        return text;
    }
}
