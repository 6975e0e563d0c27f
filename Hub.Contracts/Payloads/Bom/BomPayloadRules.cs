using RealtimeHub.Contracts.Events;
using static RealtimeHub.Contracts.Payloads.PayloadField;

namespace RealtimeHub.Contracts.Payloads.Bom;

/// <summary>What the hub checks and reads in <see cref="BomEnrichmentEvent"/>.</summary>
public static class BomPayloadRules
{
    /// <summary>
    /// The checked fields, the progress of the workflow run, and <c>event_type</c>, which must repeat the
    /// event type.
    /// </summary>
    public static PayloadRules Rules { get; } = new(
        Fields:
        [
            Text("event_id"), Text("event_type"), Text("routing_key"), Text("bom_id"), Text("organization_id"),
            Text("project_id"), Text("user_id"), Text("source"), Text("workflow_id"), Text("workflow_run_id"),
            Text("created_at"),
            Nested(
                "state",
                Text("status"), Text("started_at"), Text("completed_at"), Text("last_update"),
                Count("total_items"), Count("enriched_items"), Count("failed_items"), Count("pending_items"),
                Count("current_batch"), Count("total_batches"),
                Percent("percent_complete"), Seconds("estimated_time_remaining"),
                Nested("current_item", Text("mpn"), Text("status"), Text("message"))),
        ],
        Progress: new(
            Percent: "state.percent_complete",
            Eta: "state.estimated_time_remaining",
            EtaEventType: EventTypes.EnrichmentProgress,
            Job: [["workflow_run_id", "workflow_id"]]),
        EventTypeField: "event_type");
}
