using System.Diagnostics;
using System.Text.Json;

namespace RealtimeHub.Bench.Workers;

/// <summary>
/// The coordinator's handle on one worker: <c>dotnet Hub.Bench.dll --worker PLAN</c>, commands on its standard
/// input, answers read from its standard output; its progress goes to the bench's standard error as it is.
/// Closing its input ends it; one that has not ended 60 s later is killed by its process id.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process, int index)
    {
        _process = process;
        Index = index;
    }

    public int Index { get; }

    public int Pid => _process.Id;

    /// <summary>Starts the worker for <paramref name="plan"/>, written beside it in <paramref name="directory"/>.</summary>
    public static async Task<WorkerProcess> StartAsync(WorkerPlan plan, string directory, CancellationToken cancellationToken)
    {
        var planPath = Path.Combine(directory, $"worker-{plan.Index}.json");
        await File.WriteAllTextAsync(planPath, JsonSerializer.Serialize(plan, WorkerJson.Options), cancellationToken);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(WorkerProcess).Assembly.Location);
        start.ArgumentList.Add(LoadWorker.Flag);
        start.ArgumentList.Add(planPath);
        var process = Process.Start(start) ?? throw new InvalidOperationException("the worker did not start.");
        return new WorkerProcess(process, plan.Index);
    }

    /// <summary>CPU time the worker has used so far (user and system), in seconds.</summary>
    public double ReadCpuSeconds() => ProcStat.CpuSeconds(Pid);

    /// <summary>Writes one command line.</summary>
    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Reads the next answer, which must be of <paramref name="kind"/>.</summary>
    public async Task<T> ReceiveAsync<T>(string kind, CancellationToken cancellationToken)
    {
        var line = await _process.StandardOutput.ReadLineAsync(cancellationToken);
        if (line is null)
        {
            await _process.WaitForExitAsync(cancellationToken);
            throw new InvalidOperationException($"worker {Index} (pid {Pid}) ended with exit code {_process.ExitCode} while the bench waited for '{kind}'.");
        }

        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0 || line[..space] != kind)
        {
            throw new InvalidOperationException($"worker {Index} answered '{line[..Math.Min(line.Length, 80)]}' where the bench waited for '{kind}'.");
        }

        return JsonSerializer.Deserialize<T>(line.AsSpan(space + 1), WorkerJson.Options)
            ?? throw new InvalidOperationException($"worker {Index} sent an empty '{kind}'.");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            Native.Signal(_process.Id, Native.SigKill);
        }

        _process.Dispose();
    }
}
