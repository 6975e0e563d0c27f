namespace RealtimeHub.Server.Demo;

/// <summary>The demo's log messages.</summary>
internal static partial class DemoLog
{
    [LoggerMessage(1, LogLevel.Information, "Demo mode: a simulated PO sync, BOM enrichment or OMR batch job starts every {Interval} (at most {MaxJobs} at once, speed {Speed}x). Set Demo:Enabled=false to turn it off.")]
    public static partial void Started(ILogger logger, TimeSpan interval, int maxJobs, double speed);

    [LoggerMessage(2, LogLevel.Warning, "Demo job on {Topic} cannot publish ({Reason}); demo jobs are abandoned until publishing works again.")]
    public static partial void PublishUnavailable(ILogger logger, string topic, string reason);

    [LoggerMessage(3, LogLevel.Information, "Demo jobs publish again.")]
    public static partial void PublishRecovered(ILogger logger);

    [LoggerMessage(4, LogLevel.Error, "Demo job on {Topic} failed unexpectedly; the demo carries on with other jobs.")]
    public static partial void JobCrashed(ILogger logger, string topic, Exception exception);
}
