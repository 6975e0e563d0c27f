using System.ComponentModel.DataAnnotations;

namespace RealtimeHub.Server.Demo;

/// <summary>
/// Simulated workloads of the three products (section <c>Demo</c>), so a fresh hub has something to
/// show. On by default in Development only; <c>Demo__Enabled=false</c> turns it off there too.
/// </summary>
public sealed class DemoOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Demo";

    /// <summary>Runs the simulated jobs; unset means true in Development and false elsewhere.</summary>
    public bool? Enabled { get; set; }

    /// <summary>How often a new job starts (when fewer than <see cref="MaxConcurrentJobs"/> run).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "Demo:JobInterval must be between 10 ms and 1 hour, for example 00:00:03.")]
    public TimeSpan JobInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How many times faster than real time the jobs run: 1 takes a job about 20 s, 20 about 1 s.</summary>
    [Range(0.1, 1000.0, ErrorMessage = "Demo:Speed must be between 0.1 and 1000.")]
    public double Speed { get; set; } = 1;

    /// <summary>Most jobs running at once.</summary>
    [Range(1, 100, ErrorMessage = "Demo:MaxConcurrentJobs must be between 1 and 100.")]
    public int MaxConcurrentJobs { get; set; } = 6;

    /// <summary>The share of jobs of each kind that fail, spread evenly (0.25: the 2nd, 6th, 10th...).</summary>
    [Range(0.0, 1.0, ErrorMessage = "Demo:FailureRate must be between 0 and 1.")]
    public double FailureRate { get; set; } = 0.25;
}
