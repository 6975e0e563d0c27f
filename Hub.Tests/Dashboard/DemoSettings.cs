namespace RealtimeHub.Tests.Dashboard;

/// <summary>Node settings that run the demo workloads fast enough for a test to see jobs finish.</summary>
internal static class DemoSettings
{
    /// <summary>A job every 50 ms, each about 50 times faster than real time, half of them failing.</summary>
    public static Dictionary<string, string?> Fast() => new()
    {
        ["Demo:Enabled"] = "true",
        ["Demo:JobInterval"] = "00:00:00.050",
        ["Demo:Speed"] = "40",
        ["Demo:MaxConcurrentJobs"] = "9",
        ["Demo:FailureRate"] = "0.5",
        ["Dashboard:RefreshInterval"] = "00:00:00.300",
    };
}
