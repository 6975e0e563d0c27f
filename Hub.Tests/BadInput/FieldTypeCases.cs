using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.BadInput;

/// <summary>
/// A wrong JSON type or an out-of-range value in each typed field of each family's data
/// (docs/contract.md, Events): over HTTP 400 with the field's path, over the hub a <see cref="HubException"/> naming it; never
/// half-applied, and the hub keeps serving everyone else.
/// </summary>
public abstract class FieldTypeCases(BadInputNodes nodes)
{
    public static TheoryData<string, string, string, string> WrongFields => new()
    {
        { "merchant", "poId", """{"id":1}""", "Expected a string, got an object" },
        { "merchant", "workflowId", "true", "Expected a string, got a boolean" },
        { "merchant", "stage", """["a"]""", "Expected a string, got an array" },
        { "merchant", "status", "3.5", "Expected a string, got a number" },
        { "merchant", "message", "{}", "Expected a string, got an object" },
        { "merchant", "error", "false", "Expected a string, got a boolean" },
        { "merchant", "progress", "true", "Expected a number, got a boolean" },
        { "merchant", "progress", "\"NaN\"", "Expected a number, got a string" },
        { "merchant", "progress", "100.0001", "between 0 and 100" },
        { "merchant", "progress", "-0.0001", "between 0 and 100" },
        { "merchant", "progress", "[50]", "Expected a number, got an array" },
        { "merchant", "itemsProcessed", "\"12\"", "Expected a whole number, got a string" },
        { "merchant", "totalItems", "2.25", "Expected a whole number, got 2.25" },
        { "merchant", "totalItems", "true", "Expected a whole number, got a boolean" },
        { "merchant", "etaSeconds", "\"soon\"", "Expected a number, got a string" },
        { "merchant", "etaSeconds", "-0.5", "must not be negative" },
        { "merchant", "etaSeconds", "1e999", "Expected a finite number" },
        { "merchant", "chunkProgress", "[1,4]", "Expected an object, got an array" },
        { "merchant", "chunkProgress", "\"1/4\"", "Expected an object, got a string" },
        { "merchant", "chunkProgress.total", "\"4\"", "Expected a whole number, got a string" },
        { "merchant", "chunkProgress.current", "-2", "must not be negative" },
        { "bom", "event_type", """["enrichment.progress"]""", "Expected a string, got an array" },
        { "bom", "routing_key", "{}", "Expected a string, got an object" },
        { "bom", "bom_id", "42", "Expected a string, got a number" },
        { "bom", "organization_id", "true", "Expected a string, got a boolean" },
        { "bom", "project_id", "1.0", "Expected a string, got a number" },
        { "bom", "user_id", "[]", "Expected a string, got an array" },
        { "bom", "source", "false", "Expected a string, got a boolean" },
        { "bom", "workflow_id", """{"id":"wf"}""", "Expected a string, got an object" },
        { "bom", "workflow_run_id", "7", "Expected a string, got a number" },
        { "bom", "created_at", "1732300000", "Expected a string, got a number" },
        { "bom", "state", "[]", "Expected an object, got an array" },
        { "bom", "state", "true", "Expected an object, got a boolean" },
        { "bom", "state.status", "1", "Expected a string, got a number" },
        { "bom", "state.started_at", "{}", "Expected a string, got an object" },
        { "bom", "state.completed_at", "true", "Expected a string, got a boolean" },
        { "bom", "state.last_update", "1732300000000", "Expected a string, got a number" },
        { "bom", "state.total_items", "\"100\"", "Expected a whole number, got a string" },
        { "bom", "state.enriched_items", "3.3", "Expected a whole number, got 3.3" },
        { "bom", "state.failed_items", "true", "Expected a whole number, got a boolean" },
        { "bom", "state.pending_items", "[]", "Expected a whole number, got an array" },
        { "bom", "state.current_batch", "{}", "Expected a whole number, got an object" },
        { "bom", "state.total_batches", "-1e3", "Expected a whole number, got -1e3" },
        { "bom", "state.percent_complete", "\"52%\"", "Expected a number, got a string" },
        { "bom", "state.percent_complete", "100.0001", "between 0 and 100" },
        { "bom", "state.percent_complete", "-0.0001", "between 0 and 100" },
        { "bom", "state.percent_complete", "false", "Expected a number, got a boolean" },
        { "bom", "state.estimated_time_remaining", "\"1m\"", "Expected a number, got a string" },
        { "bom", "state.estimated_time_remaining", "-10", "must not be negative" },
        { "bom", "state.estimated_time_remaining", "1e999", "Expected a finite number" },
        { "bom", "state.current_item", "\"mpn-1\"", "Expected an object, got a string" },
        { "bom", "state.current_item", "[]", "Expected an object, got an array" },
        { "bom", "state.current_item.status", "1", "Expected a string, got a number" },
        { "bom", "state.current_item.message", "[]", "Expected a string, got an array" },
        { "batch", "stage", "null", "This field is required" },
        { "batch", "stage", "[]", "Expected a string, got an array" },
        { "batch", "stage", """{"name":"x"}""", "Expected a string, got an object" },
        { "batch", "stage", "true", "Expected a string, got a boolean" },
        { "batch", "message", "12", "Expected a string, got a number" },
        { "batch", "timestamp", "1732300000000", "Expected a string, got a number" },
        { "batch", "progress_percentage", "\"50\"", "Expected a number, got a string" },
        { "batch", "progress_percentage", "100.0001", "between 0 and 100" },
        { "batch", "progress_percentage", "true", "Expected a number, got a boolean" },
        { "batch", "progress_percentage", "1e400", "Expected a finite number" },
        { "batch", "sheets_total", "2.5", "Expected a whole number, got 2.5" },
        { "batch", "sheets_total", "true", "Expected a whole number, got a boolean" },
        { "batch", "sheets_total", "9223372036854775808", "Expected a whole number, got 9223372036854775808" },
        { "batch", "sheets_processed", "\"1\"", "Expected a whole number, got a string" },
        { "batch", "sheets_processed", "-7", "must not be negative" },
        { "batch", "elapsed_seconds", "\"12s\"", "Expected a number, got a string" },
        { "batch", "elapsed_seconds", "-1", "must not be negative" },
        { "batch", "elapsed_seconds", "{}", "Expected a number, got an object" },
        { "batch", "elapsed_seconds", "1e999", "Expected a finite number" },
        { "batch", "eta_seconds", "\"x\"", "Expected a number, got a string" },
        { "batch", "eta_seconds", "-0.001", "must not be negative" },
    };

    private HubNode Node => nodes.Node;

    [Theory]
    [MemberData(nameof(WrongFields))]
    public async Task A_wrong_field_over_HTTP_gets_400_naming_its_path_and_nothing_is_stored(string family, string path, string value, string says)
    {
        var topic = $"{family}:{Unique.Id()}";

        using var response = await Wire.PostAsAdminAsync(Node, Wire.EventsPath(topic), $$"""{"type":"{{TypeOf(family)}}","data":{{DataWith(family, path, value)}}}""");

        var problem = await Wire.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal($"data.{path}", problem.GetProperty("field").GetString());
        Assert.Contains(says, problem.Detail(), StringComparison.Ordinal);
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertStillServingAsync();
    }

    [Theory]
    [MemberData(nameof(WrongFields))]
    public async Task A_wrong_field_over_the_hub_throws_a_HubException_naming_its_path_and_nothing_is_stored(string family, string path, string value, string says)
    {
        var topic = $"{family}:{Unique.Id()}";
        using var data = JsonDocument.Parse(DataWith(family, path, value));

        var error = await Assert.ThrowsAsync<HubException>(() =>
            nodes.Prober.InvokeAsync<string>(nameof(IProgressHub.Publish), topic, TypeOf(family), data.RootElement));

        Assert.Contains($"data.{path}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertProberUsableAsync();
    }

    /// <summary>Data whose only fault is <paramref name="value"/> at <paramref name="path"/> (a batch keeps its required stage).</summary>
    private static string DataWith(string family, string path, string value)
    {
        var json = value;
        foreach (var name in path.Split('.').Reverse())
        {
            json = $$"""{"{{name}}":{{json}}}""";
        }

        return family == "batch" && path != "stage" ? $$"""{"stage":"processing",{{json[1..]}}""" : json;
    }

    private static string TypeOf(string family) => family switch
    {
        "merchant" => EventTypes.MerchantProgress,
        "bom" => EventTypes.EnrichmentProgress,
        _ => EventTypes.BatchProgress,
    };
}

[Collection(EmbeddedBadInputDefinition.Name)]
public sealed class FieldTypesOnTheEmbeddedDefault(EmbeddedBadInputNodes nodes) : FieldTypeCases(nodes);

[Collection(RedisBadInputDefinition.Name)]
public sealed class FieldTypesOnRedis(RedisBadInputNodes nodes) : FieldTypeCases(nodes);
