using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePack;
using RealtimeHub.Contracts.Serialization;

namespace RealtimeHub.Contracts.Events;

/// <summary>
/// One accepted event as every client sees it (docs/contract.md, Events). <see cref="Data"/> keeps the field
/// names of the product that published it; <see cref="DataAs{T}"/> reads it as a typed payload.
/// </summary>
[MessagePackObject]
public sealed record EventEnvelope
{
    /// <summary>The id the hub assigned on acceptance; ordered within the topic.</summary>
    [Key("id")]
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>The topic the event belongs to, for example <c>bom:42</c>.</summary>
    [Key("topic")]
    [JsonPropertyName("topic")]
    public required string Topic { get; init; }

    /// <summary>The event type, for example <c>enrichment.progress</c>.</summary>
    [Key("type")]
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>When the hub accepted the event.</summary>
    [Key("timestamp")]
    [JsonPropertyName("timestamp")]
    [JsonConverter(typeof(UtcTimestamp.JsonConverter))]
    [MessagePackFormatter(typeof(UtcTimestamp.MessagePackFormatter))]
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>
    /// The event's place in its topic: 1, 2, 3, ... without gaps, assigned with <see cref="Id"/>. The hub
    /// uses it to deliver each topic in order and to see a missing event; clients may ignore it.
    /// </summary>
    [Key("seq")]
    [JsonPropertyName("seq")]
    public long Seq { get; init; }

    /// <summary>The product's payload, a JSON object.</summary>
    [Key("data")]
    [JsonPropertyName("data")]
    public required JsonElement Data { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the publish that stored the event, kept with it in the history so a
    /// delivery can link to the publish. The hub's own: never serialised to clients.
    /// </summary>
    [IgnoreMember]
    [JsonIgnore]
    internal string? TraceParent { get; init; }

    /// <summary>Reads <see cref="Data"/> as one of the typed payloads.</summary>
    public T DataAs<T>() =>
        Data.Deserialize<T>() ?? throw new JsonException($"The data of event {Id} is null.");
}
