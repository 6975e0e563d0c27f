using System.Diagnostics;
using System.Text;

namespace RealtimeHub.Tests.Hosting;

/// <summary>Runs the built server (<c>Hub.Server.dll</c>) as its own process, the way an operator does.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ServerProcess(Process process) => _process = process;

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the server with <paramref name="environment"/> on top of a clean environment, listening on 127.0.0.1.</summary>
    public static ServerProcess Start(IDictionary<string, string> environment, string urls = "http://127.0.0.1:0")
    {
        var start = new ProcessStartInfo("timeout")
        {
            ArgumentList = { "120", "dotnet", Path.Combine(AppContext.BaseDirectory, "Hub.Server.dll"), "--urls", urls },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.Contains("__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var server = new ServerProcess(Process.Start(start)!);
        server._process.OutputDataReceived += (_, line) => Append(server._stdout, line.Data);
        server._process.ErrorDataReceived += (_, line) => Append(server._stderr, line.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits for the process to exit by itself; fails after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (target)
        {
            target.AppendLine(line);
        }
    }
}
