using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RealtimeHub.Bench;

/// <summary>The few libc calls the bench needs on Linux: the open-file limit, and signalling and stopping a process.</summary>
internal static partial class Native
{
    /// <summary>SIGTERM: asks a process to stop.</summary>
    public const int SigTerm = 15;

    /// <summary>SIGKILL: ends a process at once.</summary>
    public const int SigKill = 9;

    private const int RlimitNofile = 7;

    /// <summary>Raises this process's open-file limit (inherited by the server it starts) and returns it.</summary>
    /// <remarks>
    /// The soft limit goes up to the hard limit. When <paramref name="wanted"/> is above the hard limit the
    /// hard limit is raised too, which only a privileged process may do; otherwise the hard limit stands.
    /// </remarks>
    public static (ulong Soft, ulong Hard) RaiseOpenFileLimit(ulong wanted)
    {
        if (GetRlimit(RlimitNofile, out var limit) != 0)
        {
            throw new InvalidOperationException($"getrlimit(RLIMIT_NOFILE) failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        if (wanted > limit.Hard)
        {
            var raised = new RLimit { Soft = wanted, Hard = wanted };
            if (SetRlimit(RlimitNofile, raised) == 0)
            {
                return (wanted, wanted);
            }
        }

        var soft = new RLimit { Soft = limit.Hard, Hard = limit.Hard };
        if (SetRlimit(RlimitNofile, soft) != 0)
        {
            throw new InvalidOperationException($"setrlimit(RLIMIT_NOFILE) failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        return (limit.Hard, limit.Hard);
    }

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; false if it is gone.</summary>
    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>Asks <paramref name="process"/> to stop (SIGTERM), kills it and its children if it has not within <paramref name="grace"/>, and disposes it.</summary>
    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        if (!process.HasExited)
        {
            Signal(process.Id, SigTerm);
            using var waiting = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(waiting.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRlimit(int resource, in RLimit limit);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>struct rlimit: two rlim_t (unsigned long) on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Soft;
        public ulong Hard;
    }
}
