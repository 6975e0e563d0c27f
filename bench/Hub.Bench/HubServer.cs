using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RealtimeHub.Bench;

/// <summary>
/// The hub under test, run as its own process from the Release build:
/// <c>timeout &lt;lifetime&gt; dotnet Hub.Server.dll --urls http://127.0.0.1:&lt;free port&gt;</c>.
/// The <c>timeout</c> wrapper ends the server by itself should the bench die without stopping it.
/// </summary>
internal sealed class HubServer : IAsyncDisposable
{
    private const int KeptOutputLines = 40;

    private bool _killed;
    private readonly Process _wrapper;
    private readonly ConcurrentQueue<string> _output = new();

    private HubServer(Process wrapper, int pid, Uri baseAddress)
    {
        _wrapper = wrapper;
        Pid = pid;
        BaseAddress = baseAddress;
    }

    /// <summary>The server's own process id (the child of <c>timeout</c>).</summary>
    /// <summary>
    /// The settings a node under the bench runs with: one anonymous load generator on a few addresses is many
    /// organisations' worth of traffic, so the rate limits and per-user quotas are raised out of its way.
    /// </summary>
    public static IReadOnlyDictionary<string, string> RaisedLimits { get; } =
        new[] { "PublishPerSecond", "PublishBurst", "ConnectionsPerSecond", "ConnectionsBurst", "MaxConnectionsPerUser" }
            .ToDictionary(limit => $"Limits:{limit}", _ => "1000000");

    public int Pid { get; }

    /// <summary>Where the server listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The last lines the server wrote, for diagnosing a failed run.</summary>
    public IEnumerable<string> RecentOutput => _output;

    /// <summary>Builds Hub.Server in Release, quietly, leaving no build servers behind.</summary>
    public static async Task BuildAsync(string repo, CancellationToken cancellationToken)
    {
        var build = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "build", Path.Combine(repo, "Hub.Server", "Hub.Server.csproj"), "-c", "Release", "-nologo", "-v", "q", "-nodeReuse:false", "-p:UseSharedCompilation=false" },
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("Could not start dotnet build.");
        var output = await build.StandardOutput.ReadToEndAsync(cancellationToken);
        await build.WaitForExitAsync(cancellationToken);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet build Hub.Server -c Release failed ({build.ExitCode}):\n{output}");
        }
    }

    /// <summary>The commit Hub.Server is built from, noting uncommitted changes; "unknown" outside a git checkout.</summary>
    public static async Task<string> DescribeSourceAsync(string repo, CancellationToken cancellationToken)
    {
        var commit = await GitAsync(repo, ["rev-parse", "--short", "HEAD"], cancellationToken);
        if (string.IsNullOrEmpty(commit))
        {
            return "unknown";
        }

        var changes = await GitAsync(repo, ["status", "--porcelain", "--", "Hub.Server", "Hub.Contracts"], cancellationToken);
        return string.IsNullOrEmpty(changes) ? commit : $"{commit} + uncommitted changes";
    }

    /// <summary>Starts the server and waits until <c>/health/live</c> answers.</summary>
    public static async Task<HubServer> StartAsync(string repo, string? redis, TimeSpan lifetime, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var output = Path.Combine(repo, "Hub.Server", "bin", "Release", "net10.0");
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("timeout")
        {
            ArgumentList =
            {
                "--kill-after=10s", FormattableString.Invariant($"{(int)lifetime.TotalSeconds}s"),
                "dotnet", Path.Combine(output, "Hub.Server.dll"), "--urls", baseAddress.ToString().TrimEnd('/'),
            },
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";

        foreach (var (name, value) in RaisedLimits)
        {
            start.Environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["Demo__Enabled"] = "false";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("Redis__ConnectionString");
        if (redis is not null)
        {
            start.Environment["Redis__ConnectionString"] = redis;
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var wrapper = Process.Start(start) ?? throw new InvalidOperationException("Could not start the hub.");
        int pid;
        try
        {
            pid = await ChildOfAsync(wrapper, cancellationToken);
        }
        catch
        {
            wrapper.Kill(entireProcessTree: true);
            wrapper.Dispose();
            throw;
        }

        var server = new HubServer(wrapper, pid, baseAddress);
        wrapper.OutputDataReceived += (_, e) => server.Keep(e.Data);
        wrapper.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        wrapper.BeginOutputReadLine();
        wrapper.BeginErrorReadLine();
        try
        {
            await server.WaitUntilLiveAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The server's resident set size (VmRSS) in bytes.</summary>
    public long ReadRss() => ReadStatus("VmRSS:") * 1024;

    /// <summary>CPU time the server has used so far (user and system), in seconds.</summary>
    public double ReadCpuSeconds() => ProcStat.CpuSeconds(Pid);

    /// <summary>False once <see cref="Kill"/> ran or the server ended.</summary>
    public bool Alive => !_killed && !_wrapper.HasExited;

    /// <summary>Ends the server at once (SIGKILL), as a crash or an OOM kill would.</summary>
    public void Kill()
    {
        _killed = true;
        Native.Signal(Pid, Native.SigKill);
    }

    /// <summary>The server's open files (sockets included): its connections, plus a few dozen of its own.</summary>
    public int ReadOpenFiles() => Directory.GetFiles($"/proc/{Pid}/fd").Length;

    /// <summary>The number of threads in the server.</summary>
    public long ReadThreads() => ReadStatus("Threads:");

    /// <summary>Asks the server to stop (SIGTERM through <c>timeout</c>) and kills it if it has not within 15 s.</summary>
    public async ValueTask DisposeAsync() => await Native.StopAsync(_wrapper, TimeSpan.FromSeconds(15));

    private static async Task<string> GitAsync(string repo, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var git = Process.Start(start);
            if (git is null)
            {
                return "";
            }

            var output = await git.StandardOutput.ReadToEndAsync(cancellationToken);
            await git.WaitForExitAsync(cancellationToken);
            return git.ExitCode == 0 ? output.Trim() : "";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Finds the process <c>timeout</c> started, by its parent id in <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    private static async Task<int> ChildOfAsync(Process parent, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(directory), out var pid) && ProcStat.ParentOf(pid) == parent.Id)
                {
                    return pid;
                }
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new InvalidOperationException("The hub process did not appear under timeout.");
    }

    private async Task WaitUntilLiveAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_wrapper.HasExited)
            {
                throw new InvalidOperationException($"The hub exited with {_wrapper.ExitCode}:\n{string.Join('\n', _output)}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health/live", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A slow answer during start-up; try again.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"The hub did not answer /health/live within 60 s:\n{string.Join('\n', _output)}");
    }

    private long ReadStatus(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{Pid}/status has no {field}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > KeptOutputLines)
        {
            _output.TryDequeue(out _);
        }
    }
}
