using System.Globalization;
using System.Text.Json;

namespace RealtimeHub.Tests.Bridge;

/// <summary>What the products' workers publish, in the shapes they already publish, as raw JSON text.</summary>
public static class WorkerPayloads
{
    /// <summary>A merchant message for the channel suffix <paramref name="suffix"/> (the PO sync workflow's four payloads).</summary>
    public static string Merchant(string suffix, double progress = 60) => suffix switch
    {
        "stage" => """{"stage":"ai_parsing","poId":"c8f2k1","workflowId":"wf_1","status":"started","message":"AI parsing started"}""",
        "completion" => """{"stage":"ai_parsing","poId":"c8f2k1","workflowId":"wf_1","lineItems":5,"confidence":95}""",
        "error" => """{"stage":"database_save","poId":"c8f2k1","workflowId":"wf_1","error":"Database connection failed"}""",
        _ => Json(new { poId = "c8f2k1", workflowId = "wf_1", stage = "database_save", progress, message = "Saved 5 line items" }),
    };

    /// <summary>A BOM enrichment service envelope of <paramref name="bomId"/>.</summary>
    public static string Enrichment(string bomId, string eventType = "enrichment.progress", double percent = 52.0) => Json(new
    {
        event_id = Guid.NewGuid().ToString(),
        event_type = eventType,
        routing_key = $"customer.{eventType}",
        bom_id = bomId,
        organization_id = "org-1",
        project_id = "project-1",
        user_id = "user-1",
        source = "customer",
        workflow_id = $"bom-enrichment-{bomId}",
        workflow_run_id = "temporal-run-1",
        state = new
        {
            status = "enriching",
            total_items = 100,
            enriched_items = (long)percent,
            failed_items = 0,
            pending_items = 100 - (long)percent,
            current_batch = 5,
            total_batches = 10,
            percent_complete = percent,
            last_update = "2025-12-18T01:23:45.678Z",
        },
        payload = new { batch = new { batch_number = 5, batch_size = 10, completed = 10 } },
        created_at = "2025-12-18T01:23:45.678Z",
    });

    /// <summary>An OMR batch pipeline progress report.</summary>
    public static string Batch(double percent, string stage = "processing_sheets") => Json(new
    {
        stage,
        message = string.Create(CultureInfo.InvariantCulture, $"Processing: {percent}/100 sheets completed"),
        progress_percentage = percent,
        sheets_total = 100,
        sheets_processed = (long)percent,
        elapsed_seconds = 45,
        timestamp = "2025-11-20T12:56:30Z",
    });

    private static string Json(object value) => JsonSerializer.Serialize(value);
}
