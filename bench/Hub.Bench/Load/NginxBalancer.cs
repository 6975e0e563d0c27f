using System.Diagnostics;
using System.Globalization;

namespace RealtimeHub.Bench.Load;

/// <summary>
/// nginx in front of the bench's hub nodes, started by <c>deploy/local-cluster.sh --upstreams</c> with the
/// deployment's own <c>deploy/nginx/realtimehub.conf</c>; stopped (SIGTERM to the script, which stops nginx
/// by its process id) when disposed, and by its own <c>timeout</c> should the bench be killed.
/// </summary>
internal sealed class NginxBalancer : IAsyncDisposable
{
    /// <summary>Open files one nginx worker is given: under the hard limit of 20,000 with room to spare.</summary>
    public const int ConnectionsPerWorker = 18_000;

    private readonly Process _script;

    private NginxBalancer(Process script, Uri address, int workers)
    {
        _script = script;
        Address = address;
        Workers = workers;
    }

    /// <summary>Where clients and publishers connect.</summary>
    public Uri Address { get; }

    /// <summary>nginx worker processes.</summary>
    public int Workers { get; }

    /// <summary>
    /// Enough workers for <paramref name="connections"/> client connections: each is proxied, so it takes a
    /// client and an upstream connection, and the workers should stay well under <see cref="ConnectionsPerWorker"/>
    /// even where the kernel spreads the connections a little unevenly.
    /// </summary>
    public static int WorkersFor(int connections) => Math.Max(1, (int)Math.Ceiling(2.0 * connections / (ConnectionsPerWorker * 0.75)));

    public static async Task<NginxBalancer> StartAsync(
        string repo, IReadOnlyList<Uri> nodes, int workers, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])[
            Path.Combine(repo, "deploy", "local-cluster.sh"),
            "--upstreams", string.Join(' ', nodes.Select(n => n.Authority)),
            "--nginx-workers", workers.ToString(CultureInfo.InvariantCulture),
            "--worker-connections", ConnectionsPerWorker.ToString(CultureInfo.InvariantCulture),
            "--keep", ((int)lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        var script = Process.Start(start) ?? throw new InvalidOperationException("deploy/local-cluster.sh did not start.");
        const string Prefix = "load balancer ";
        while (await script.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                var address = new Uri(line[Prefix.Length..].Split(' ')[0]);
                _ = script.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return new NginxBalancer(script, address, workers);
            }
        }

        await script.WaitForExitAsync(cancellationToken);
        throw new InvalidOperationException($"deploy/local-cluster.sh --upstreams ended with exit code {script.ExitCode} before nginx was up.");
    }

    public async ValueTask DisposeAsync() => await Native.StopAsync(_script, TimeSpan.FromSeconds(30));
}
