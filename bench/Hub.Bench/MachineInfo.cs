using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RealtimeHub.Bench;

/// <summary>The machine a run was measured on.</summary>
/// <param name="Processors">Logical processors (nproc).</param>
/// <param name="MemoryBytes">Total memory (MemTotal).</param>
/// <param name="Kernel">The kernel release.</param>
/// <param name="DotnetSdk">What <c>dotnet --version</c> prints.</param>
/// <param name="Runtime">The runtime the bench runs on.</param>
/// <param name="LoadAverage">/proc/loadavg when the run started: other work on the machine shows here.</param>
internal sealed record MachineInfo(int Processors, long MemoryBytes, string Kernel, string DotnetSdk, string Runtime, string LoadAverage)
{
    /// <summary>Reads the figures from <c>/proc</c> and the dotnet CLI.</summary>
    public static async Task<MachineInfo> ReadAsync(CancellationToken cancellationToken)
    {
        var memTotal = File.ReadLines("/proc/meminfo").First(line => line.StartsWith("MemTotal:", StringComparison.Ordinal));
        var memoryKiB = long.Parse(memTotal["MemTotal:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var kernel = (await File.ReadAllTextAsync("/proc/sys/kernel/osrelease", cancellationToken)).Trim();
        using var dotnet = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("Could not run dotnet --version.");
        var sdk = (await dotnet.StandardOutput.ReadToEndAsync(cancellationToken)).Trim();
        await dotnet.WaitForExitAsync(cancellationToken);
        var load = string.Join(' ', (await File.ReadAllTextAsync("/proc/loadavg", cancellationToken)).Split(' ').Take(3));
        return new MachineInfo(Environment.ProcessorCount, memoryKiB * 1024, kernel, sdk, RuntimeInformation.FrameworkDescription, load);
    }
}
