using RealtimeHub.Contracts.Events;
using static RealtimeHub.Contracts.Payloads.PayloadField;

namespace RealtimeHub.Contracts.Payloads.Batch;

/// <summary>What the hub checks and reads in <see cref="BatchProgressData"/>.</summary>
public static class BatchPayloadRules
{
    /// <summary>
    /// The checked fields, and the progress: <c>progress_percentage</c> is per stage, as the batch pipeline
    /// reports it, so each stage is its own job.
    /// </summary>
    public static PayloadRules Rules { get; } = new(
        Fields:
        [
            RequiredText("stage"), Text("message"), Text("timestamp"),
            Percent("progress_percentage"), Count("sheets_total"), Count("sheets_processed"),
            Seconds("elapsed_seconds"), Seconds("eta_seconds"),
        ],
        Progress: new(
            Percent: "progress_percentage",
            Eta: "eta_seconds",
            EtaEventType: EventTypes.BatchProgress,
            Job: [["stage"]]));
}
