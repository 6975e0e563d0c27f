using System.Globalization;

namespace RealtimeHub.Bench;

/// <summary>What <c>/proc/&lt;pid&gt;/stat</c> says about a process: its parent and the CPU time it has used.</summary>
internal static class ProcStat
{
    /// <summary>CPU time the process has used so far (user and system), in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        // utime and stime are fields 14 and 15, in clock ticks (100 per second).
        var fields = Fields(pid);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>The parent's process id; -1 when the process is gone.</summary>
    public static int ParentOf(int pid)
    {
        try
        {
            return int.Parse(Fields(pid)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>The fields after "pid (comm) ": comm may hold spaces and parentheses, so they start after the last ')'.</summary>
    private static string[] Fields(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }
}
