using System.Text.Json;
using MessagePack;
using RealtimeHub.Contracts.Payloads.Batch;
using RealtimeHub.Contracts.Payloads.Bom;
using RealtimeHub.Contracts.Payloads.Merchant;
using RealtimeHub.Contracts.Serialization;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Contracts;

/// <summary>The typed payloads keep each product's field names through JSON and MessagePack (docs/contract.md, Events).</summary>
public sealed class PayloadSerializationTests
{
    private const string MerchantJson = """
        {"poId":"po-9","workflowId":"wf-3","stage":"ai_parsing","status":"processing","progress":45.5,
         "message":"Parsing chunk 2 of 4","itemsProcessed":12,"totalItems":40,"chunkProgress":{"current":2,"total":4},
         "error":null,"etaSeconds":30,"lineItems":[{"sku":"A-1","qty":3}],"confidence":0.92,"shopifyOrderId":"gid://shopify/Order/1"}
        """;

    private const string BomJson = """
        {"event_id":"e-1","event_type":"enrichment.progress","routing_key":"customer.enrichment.progress","bom_id":"42",
         "organization_id":"org-1","project_id":"p-1","user_id":"u-1","source":"customer","workflow_id":"bom-enrichment-42",
         "workflow_run_id":"run-7",
         "state":{"status":"enriching","total_items":100,"enriched_items":52,"failed_items":3,"pending_items":45,
                  "current_batch":6,"total_batches":10,"percent_complete":55.0,"started_at":"2026-11-22T09:58:00Z",
                  "completed_at":null,"last_update":"2026-11-22T10:00:00Z",
                  "current_item":{"mpn":"LM358N","status":"processing","message":"Looking up suppliers"},
                  "estimated_time_remaining":96.5},
         "payload":{"batch":{"batch_number":6,"batch_size":10,"enriched":9,"failed":1}},"created_at":"2026-11-22T10:00:00Z"}
        """;

    private static readonly BatchProgressData Batch = new()
    {
        Stage = "processing",
        Message = "Reading sheets",
        ProgressPercentage = 37.5,
        SheetsTotal = 40,
        SheetsProcessed = 15,
        ElapsedSeconds = 12.25,
        Timestamp = "2026-11-22T10:00:00Z",
        EtaSeconds = 20,
    };

    [Fact]
    public void Json_round_trips_merchant_data_with_chunk_progress_and_extra_fields()
    {
        var data = JsonSerializer.Deserialize<MerchantEventData>(MerchantJson)!;

        Assert.Equal(new ChunkProgress { Current = 2, Total = 4 }, data.ChunkProgress);
        Assert.Equal(45.5, data.Progress);
        Assert.Equal(12, data.ItemsProcessed);
        Assert.Equal(["confidence", "lineItems", "shopifyOrderId"], data.Extra!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("A-1", data.Extra["lineItems"][0].GetProperty("sku").GetString());
        AssertSameJson(MerchantJson, JsonSerializer.Serialize(data));
    }

    [Fact]
    public void MessagePack_round_trips_merchant_data_under_string_keys()
    {
        var data = JsonSerializer.Deserialize<MerchantEventData>(MerchantJson)! with { Extra = null };

        var bytes = MessagePackSerializer.Serialize(data, HubMessagePack.Options);

        Assert.Equal(data, MessagePackSerializer.Deserialize<MerchantEventData>(bytes, HubMessagePack.Options));
        Assert.Equal(MessagePackType.Map, MessagePackMap.Entries(bytes)["chunkProgress"]);
        Assert.Contains("itemsProcessed", MessagePackMap.Entries(bytes).Keys);
    }

    [Fact]
    public void Json_round_trips_a_bom_enrichment_event_with_its_full_state_and_current_item()
    {
        var data = JsonSerializer.Deserialize<BomEnrichmentEvent>(BomJson)!;

        Assert.Equal(new BomCurrentItem { Mpn = "LM358N", Status = "processing", Message = "Looking up suppliers" }, data.State!.CurrentItem);
        Assert.Equal(55.0, data.State.PercentComplete);
        Assert.Equal(45, data.State.PendingItems);
        Assert.Equal(96.5, data.State.EstimatedTimeRemaining);
        Assert.Equal(6, data.Payload!.Value.GetProperty("batch").GetProperty("batch_number").GetInt32());
        AssertSameJson(BomJson, JsonSerializer.Serialize(data));
    }

    [Fact]
    public void MessagePack_round_trips_a_bom_enrichment_event_under_string_keys()
    {
        var data = JsonSerializer.Deserialize<BomEnrichmentEvent>(BomJson)!;

        var bytes = MessagePackSerializer.Serialize(data, HubMessagePack.Options);
        var back = MessagePackSerializer.Deserialize<BomEnrichmentEvent>(bytes, HubMessagePack.Options);

        Assert.Equal(data with { Payload = null }, back with { Payload = null });
        Assert.True(JsonElement.DeepEquals(data.Payload!.Value, back.Payload!.Value));
        Assert.Equal(MessagePackType.Map, MessagePackMap.Entries(bytes)["state"]);
        Assert.Equal(MessagePackType.Map, MessagePackMap.Entries(bytes)["payload"]);
    }

    [Fact]
    public void Json_round_trips_batch_progress_with_the_seed_field_names()
    {
        var json = JsonSerializer.Serialize(Batch);

        Assert.Equal(Batch, JsonSerializer.Deserialize<BatchProgressData>(json));
        using var document = JsonDocument.Parse(json);
        Assert.Equal(
            ["elapsed_seconds", "eta_seconds", "message", "progress_percentage", "sheets_processed", "sheets_total", "stage", "timestamp"],
            document.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MessagePack_round_trips_batch_progress_under_the_seed_field_names()
    {
        var bytes = MessagePackSerializer.Serialize(Batch, HubMessagePack.Options);

        Assert.Equal(Batch, MessagePackSerializer.Deserialize<BatchProgressData>(bytes, HubMessagePack.Options));
        Assert.Equal(
            ["elapsed_seconds", "eta_seconds", "message", "progress_percentage", "sheets_processed", "sheets_total", "stage", "timestamp"],
            MessagePackMap.Entries(bytes).Keys.Order(StringComparer.Ordinal));
    }

    private static void AssertSameJson(string expected, string actual)
    {
        using var left = JsonDocument.Parse(expected);
        using var right = JsonDocument.Parse(actual);
        Assert.True(JsonElement.DeepEquals(left.RootElement, right.RootElement), $"Expected {expected}, got {actual}");
    }
}
