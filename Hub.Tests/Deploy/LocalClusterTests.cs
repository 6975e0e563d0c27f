using System.Diagnostics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Deploy;

/// <summary>
/// The topology deploy/ describes, run for real on loopback by deploy/local-cluster.sh: three hub
/// processes, one redis-server and nginx with the shipped configuration.
/// </summary>
public sealed class LocalClusterTests
{
    [Fact]
    public async Task Three_nodes_behind_nginx_deliver_everywhere_and_survive_losing_a_node()
    {
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { System.IO.Path.Combine(RepositoryRoot.Path, "deploy", "local-cluster.sh"), "--check", "--keep", "600" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var script = Process.Start(start)!;
        var output = script.StandardOutput.ReadToEndAsync();
        var errors = script.StandardError.ReadToEndAsync();
        // A bound for a script that hangs, not a speed check: on a loaded 2-core machine the three Release
        // builds and starts alone can take minutes. A script past it is stopped with everything it started.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(12));
        try
        {
            await script.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            script.Kill(entireProcessTree: true);
            await script.WaitForExitAsync();
            Assert.Fail($"deploy/local-cluster.sh --check ran past 12 minutes:\n{await output}\n{await errors}");
        }

        var report = $"exit {script.ExitCode}\n{await output}\n{await errors}";
        Assert.True(script.ExitCode == 0, report);
        Assert.Contains("before the kill: the stream through nginx got 4 events published on 3 nodes", report, StringComparison.Ordinal);
        Assert.Contains("after the kill: the stream resumed through nginx with all 20 later events, once each, in order", report, StringComparison.Ordinal);
        Assert.Contains("cluster check: OK", report, StringComparison.Ordinal);
    }
}
