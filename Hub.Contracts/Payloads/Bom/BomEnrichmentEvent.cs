using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePack;

namespace RealtimeHub.Contracts.Payloads.Bom;

/// <summary>The data of a <c>bom:</c> event: the BOM enrichment service's event envelope.</summary>
[MessagePackObject]
public sealed record BomEnrichmentEvent
{
    /// <summary>The publisher's own event id.</summary>
    [Key("event_id")]
    [JsonPropertyName("event_id")]
    public string? EventId { get; init; }

    /// <summary><c>enrichment.started</c>, <c>enrichment.progress</c>, <c>enrichment.completed</c> or <c>enrichment.failed</c>.</summary>
    [Key("event_type")]
    [JsonPropertyName("event_type")]
    public string? EventType { get; init; }

    /// <summary>The publisher's routing key, for example <c>customer.enrichment.progress</c>.</summary>
    [Key("routing_key")]
    [JsonPropertyName("routing_key")]
    public string? RoutingKey { get; init; }

    /// <summary>The BOM being enriched.</summary>
    [Key("bom_id")]
    [JsonPropertyName("bom_id")]
    public string? BomId { get; init; }

    /// <summary>The organisation that owns the BOM.</summary>
    [Key("organization_id")]
    [JsonPropertyName("organization_id")]
    public string? OrganizationId { get; init; }

    /// <summary>The project of the BOM.</summary>
    [Key("project_id")]
    [JsonPropertyName("project_id")]
    public string? ProjectId { get; init; }

    /// <summary>The user who started the enrichment.</summary>
    [Key("user_id")]
    [JsonPropertyName("user_id")]
    public string? UserId { get; init; }

    /// <summary><c>customer</c> or <c>staff</c>.</summary>
    [Key("source")]
    [JsonPropertyName("source")]
    public string? Source { get; init; }

    /// <summary>The workflow, for example <c>bom-enrichment-{bom_id}</c>.</summary>
    [Key("workflow_id")]
    [JsonPropertyName("workflow_id")]
    public string? WorkflowId { get; init; }

    /// <summary>The workflow run.</summary>
    [Key("workflow_run_id")]
    [JsonPropertyName("workflow_run_id")]
    public string? WorkflowRunId { get; init; }

    /// <summary>The progress state.</summary>
    [Key("state")]
    [JsonPropertyName("state")]
    public BomEnrichmentState? State { get; init; }

    /// <summary>Free-form details, for example the finished batch.</summary>
    [Key("payload")]
    [JsonPropertyName("payload")]
    public JsonElement? Payload { get; init; }

    /// <summary>ISO 8601 time the publisher created the event.</summary>
    [Key("created_at")]
    [JsonPropertyName("created_at")]
    public string? CreatedAt { get; init; }
}
