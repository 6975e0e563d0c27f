namespace RealtimeHub.Server.Dashboard;

/// <summary>The dashboard's log messages.</summary>
internal static partial class DashboardLog
{
    [LoggerMessage(1, LogLevel.Warning, "The dashboard cannot record active topics in Redis; the topic list may lag until Redis answers again.")]
    public static partial void ActiveTopicsUnrecorded(ILogger logger, Exception exception);

    [LoggerMessage(2, LogLevel.Information, "The dashboard records active topics in Redis again.")]
    public static partial void ActiveTopicsRecovered(ILogger logger);
}
