using RealtimeHub.Contracts.Events;
using static RealtimeHub.Contracts.Payloads.PayloadField;

namespace RealtimeHub.Contracts.Payloads.Merchant;

/// <summary>What the hub checks and reads in <see cref="MerchantEventData"/>.</summary>
public static class MerchantPayloadRules
{
    /// <summary>
    /// The checked fields, and the progress: merchant percentages are per stage, so each stage of a
    /// workflow is its own job.
    /// </summary>
    public static PayloadRules Rules { get; } = new(
        Fields:
        [
            Text("poId"), Text("workflowId"), Text("stage"), Text("status"), Text("message"), Text("error"),
            Percent("progress"), Count("itemsProcessed"), Count("totalItems"), Seconds("etaSeconds"),
            Nested("chunkProgress", Count("current"), Count("total")),
        ],
        Progress: new(
            Percent: "progress",
            Eta: "etaSeconds",
            EtaEventType: EventTypes.MerchantProgress,
            Job: [["workflowId", "poId"], ["stage"]]));
}
