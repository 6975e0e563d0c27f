using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>Valid event data in each product's field names (docs/contract.md, Events), for tests that need some.</summary>
public static class SampleData
{
    /// <summary>An OMR batch progress report in the <c>processing</c> stage.</summary>
    public static object BatchProgress(double percent, string stage = "processing") => new
    {
        stage,
        message = $"Processing sheets ({percent} %)",
        progress_percentage = percent,
        sheets_total = 100,
        sheets_processed = (long)percent,
    };

    /// <summary>A BOM enrichment progress envelope of one workflow run.</summary>
    public static object BomProgress(string bomId, double percent, string runId = "run-1") =>
        BomEvent(bomId, EventTypes.EnrichmentProgress, percent, runId);

    /// <summary>A BOM enrichment envelope of any type; terminal types get their final status.</summary>
    public static object BomEvent(string bomId, string type, double percent, string runId = "run-1") => new
    {
        event_type = type,
        bom_id = bomId,
        workflow_id = $"bom-enrichment-{bomId}",
        workflow_run_id = runId,
        state = new
        {
            status = type switch
            {
                EventTypes.EnrichmentCompleted => "completed",
                EventTypes.EnrichmentFailed => "failed",
                _ => "enriching",
            },
            total_items = 100,
            enriched_items = (long)percent,
            percent_complete = percent,
        },
    };

    /// <summary>A PO sync merchant progress event of one workflow stage.</summary>
    public static object MerchantProgress(double percent, string workflowId = "wf-1") => new
    {
        poId = "po-1",
        workflowId,
        stage = "ai_parsing",
        status = "processing",
        progress = percent,
        message = "Parsing",
    };
}
