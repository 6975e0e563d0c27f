using System.Globalization;
using RealtimeHub.Bench;
using RealtimeHub.Bench.Load;
using RealtimeHub.Bench.Workers;

// Figures print the same whatever the machine's locale.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args is [LoadWorker.Flag, var plan])
{
    // One of the load-generator processes of a --workers run; the coordinator reads its standard output.
    return await LoadWorker.RunAsync(plan, CancellationToken.None);
}

BenchOptions? options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

if (options is null)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

// The run cancels itself at the hard limit; the watchdog ends the process should cleanup hang after that.
using var overall = new CancellationTokenSource(options.Timeout);
Console.CancelKeyPress += (_, e) =>
{
    // The server runs in timeout's own process group, out of Ctrl+C's reach: stop it on the way out.
    e.Cancel = true;
    overall.Cancel();
};
using var watchdog = new Timer(_ => Environment.Exit(3), null, options.Timeout + TimeSpan.FromSeconds(45), Timeout.InfiniteTimeSpan);
try
{
    if (options.Scenario == "load")
    {
        var load = await LoadRun.RunAsync(options, string.Join(' ', args), overall.Token);
        Console.WriteLine(load.ToTable());
        await WriteJsonAsync(options.JsonPath, load.ToJson());
        return load.Clean ? 0 : 1;
    }

    var result = await BenchRun.RunAsync(options, string.Join(' ', args), overall.Token);
    Console.WriteLine(result.ToTable());
    await WriteJsonAsync(options.JsonPath, result.ToJson());
    return result.Failed == 0 && result.ClosedByServer == 0 ? 0 : 1;
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
catch (OperationCanceledException) when (overall.IsCancellationRequested)
{
    Console.Error.WriteLine($"Hub.Bench stopped before the end: interrupted, or at its hard limit of {options.Timeout.TotalSeconds:0} s (--timeout).");
    return 3;
}

static async Task WriteJsonAsync(string? path, string json)
{
    if (path is not null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, json);
    }
}
