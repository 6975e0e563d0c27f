using System.Text.Json;
using MessagePack;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Serialization;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Contracts;

/// <summary>The envelope looks the same to JSON and MessagePack clients (docs/contract.md, Events).</summary>
public sealed class EnvelopeSerializationTests
{
    private const string Timestamp = "2026-11-22T10:00:00.000Z";

    private const string Data = """
        {"text":"héllo \"quoted\"","int":42,"negative":-7,"fraction":52.5,"big":1e300,"yes":true,"no":false,
         "nothing":null,"list":[1,"two",[3.25],{"four":4},null],"nested":{"deeper":{"deepest":[],"empty":{}}}}
        """;

    [Fact]
    public void Json_round_trips_the_envelope_with_its_names_and_nested_data()
    {
        var envelope = Sample();

        var json = JsonSerializer.Serialize(envelope);
        var back = JsonSerializer.Deserialize<EventEnvelope>(json)!;

        using var document = JsonDocument.Parse(json);
        Assert.Equal(["id", "topic", "type", "timestamp", "seq", "data"], document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Timestamp, document.RootElement.GetProperty("timestamp").GetString());
        AssertSame(envelope, back);
    }

    [Fact]
    public void MessagePack_round_trips_the_envelope_and_its_nested_data()
    {
        var envelope = Sample();

        var back = MessagePackSerializer.Deserialize<EventEnvelope>(
            MessagePackSerializer.Serialize(envelope, HubMessagePack.Options), HubMessagePack.Options);

        AssertSame(envelope, back);
    }

    [Fact]
    public void MessagePack_carries_the_envelope_as_a_string_keyed_map_with_native_data()
    {
        var bytes = MessagePackSerializer.Serialize(Sample(), HubMessagePack.Options);

        var entries = MessagePackMap.Entries(bytes);
        Assert.Equal(new HashSet<string> { "id", "topic", "type", "timestamp", "seq", "data" }, entries.Keys.ToHashSet());
        Assert.Equal(MessagePackType.String, entries["timestamp"]);
        Assert.Equal(MessagePackType.Map, entries["data"]);

        // A dynamically typed reader, as in JavaScript, sees the same object a JSON client does.
        var generic = MessagePackSerializer.Deserialize<Dictionary<string, object>>(bytes, MessagePackSerializerOptions.Standard);
        Assert.Equal(Timestamp, generic["timestamp"]);
        Assert.Equal("1732300000000-7", generic["id"]);
        var data = Assert.IsAssignableFrom<IDictionary<object, object?>>(generic["data"]);
        Assert.Equal(42L, Convert.ToInt64(data["int"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(52.5, data["fraction"]);
        Assert.Equal(true, data["yes"]);
        Assert.Null(data["nothing"]);
        Assert.Equal("héllo \"quoted\"", data["text"]);
        Assert.Equal(5, Assert.IsAssignableFrom<object[]>(data["list"]).Length);
    }

    private static EventEnvelope Sample() => new()
    {
        Id = "1732300000000-7",
        Topic = "bom:42",
        Type = EventTypes.EnrichmentProgress,
        Timestamp = new DateTimeOffset(2026, 11, 22, 11, 0, 0, TimeSpan.FromHours(1)),
        Seq = 12,
        Data = JsonSerializer.Deserialize<JsonElement>(Data),
    };

    private static void AssertSame(EventEnvelope expected, EventEnvelope actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Topic, actual.Topic);
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(expected.Seq, actual.Seq);
        Assert.True(JsonElement.DeepEquals(expected.Data, actual.Data), $"Data differs: {actual.Data.GetRawText()}");
    }
}
