using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.Sse;

/// <summary>
/// One event as the SSE routes need it, serialised once per message by <see cref="SseHubProtocol"/> and
/// shared by every SSE connection on every node: the topic and id (to drop replayed duplicates and to
/// build the <c>id:</c> line), the type, whether it ends the stream, the envelope as JSON (for
/// <c>/api/sse</c>) and the product's data as JSON (for the compatibility routes; merchant data gets its
/// <c>type</c> added as the PO sync front end expects). The acceptance time travels at full precision for the
/// publish-to-deliver latency metric, and the publish's <c>traceparent</c> for the delivery's span to link to.
/// A <see cref="Reset"/> record is no event but a history reset (its id is the one requested, its JSON the
/// reset), written as a named <c>history.reset</c> frame.
/// </summary>
internal readonly record struct SseRecord(
    string Topic, HubEventId Id, string Type, bool Terminal, DateTimeOffset Timestamp, ReadOnlyMemory<byte> EnvelopeJson, ReadOnlyMemory<byte> DataJson,
    bool Reset = false, string? TraceParent = null)
{
    /// <summary>The frame name of a history reset on every SSE route.</summary>
    public const string ResetType = "history.reset";

    /// <summary>A history reset: events after <see cref="HistoryReset.RequestedId"/> are gone; the stream goes on from the oldest retained.</summary>
    public static SseRecord From(HistoryReset reset, JsonSerializerOptions jsonOptions)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(reset, jsonOptions);
        return new SseRecord(reset.Topic, HubEventId.Parse(reset.RequestedId), ResetType, Terminal: false, default, json, json, Reset: true);
    }

    public static SseRecord From(EventEnvelope envelope, JsonSerializerOptions jsonOptions)
    {
        var topic = Contracts.Topics.Topic.Parse(envelope.Topic);
        var envelopeJson = JsonSerializer.SerializeToUtf8Bytes(envelope, jsonOptions);
        var dataJson = topic.Family == TopicFamily.Merchant ? WithType(envelope.Data, envelope.Type) : JsonSerializer.SerializeToUtf8Bytes(envelope.Data);
        return new SseRecord(
            envelope.Topic, HubEventId.Parse(envelope.Id), envelope.Type,
            EventTypes.IsTerminal(topic.Family, envelope.Type, envelope.Data), envelope.Timestamp, envelopeJson, dataJson, TraceParent: envelope.TraceParent);
    }

    /// <summary>
    /// Writes the record as: total length, flags, the timestamp's UTC ticks, then length-prefixed fields. The
    /// trace context comes last, so a node that reads only the fields before it passes it by.
    /// </summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        var topic = Encoding.UTF8.GetBytes(Topic);
        var id = Encoding.UTF8.GetBytes(Id.ToString());
        var type = Encoding.UTF8.GetBytes(Type);
        var traceParent = TraceParent is null ? [] : Encoding.ASCII.GetBytes(TraceParent);
        var length = 1 + 8 + (4 * 6) + topic.Length + id.Length + type.Length + EnvelopeJson.Length + DataJson.Length + traceParent.Length;
        var span = output.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        span[4] = (byte)((Terminal ? 1 : 0) | (Reset ? 2 : 0));
        BinaryPrimitives.WriteInt64LittleEndian(span[5..], Timestamp.UtcTicks);
        var at = 13;
        foreach (var field in (ReadOnlySpan<ReadOnlyMemory<byte>>)[topic, id, type, EnvelopeJson, DataJson, traceParent])
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], field.Length);
            field.Span.CopyTo(span[(at + 4)..]);
            at += 4 + field.Length;
        }

        output.Advance(4 + length);
    }

    /// <summary>Reads one record from the front of <paramref name="buffer"/>; false when none is complete.</summary>
    public static bool TryRead(ref ReadOnlyMemory<byte> buffer, out SseRecord record)
    {
        record = default;
        if (buffer.Length < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(buffer.Span);
        if (buffer.Length < 4 + length)
        {
            return false;
        }

        var body = buffer.Slice(4, length);
        buffer = buffer[(4 + length)..];
        var terminal = (body.Span[0] & 1) != 0;
        var reset = (body.Span[0] & 2) != 0;
        var timestamp = new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(body.Span[1..]), TimeSpan.Zero);
        var at = 9;
        var fields = new ReadOnlyMemory<byte>[5];
        for (var i = 0; i < fields.Length; i++)
        {
            var size = BinaryPrimitives.ReadInt32LittleEndian(body.Span[at..]);
            fields[i] = body.Slice(at + 4, size);
            at += 4 + size;
        }

        // A record from a node that wrote no trace context ends after the data.
        string? traceParent = null;
        if (at + 4 <= length && BinaryPrimitives.ReadInt32LittleEndian(body.Span[at..]) is > 0 and var traceSize)
        {
            traceParent = Encoding.ASCII.GetString(body.Span.Slice(at + 4, traceSize));
        }

        record = new SseRecord(
            Encoding.UTF8.GetString(fields[0].Span), HubEventId.Parse(Encoding.UTF8.GetString(fields[1].Span)),
            Encoding.UTF8.GetString(fields[2].Span), terminal, timestamp, fields[3], fields[4], reset, traceParent);
        return true;
    }

    /// <summary>Seed 001's front end reads <c>type</c> from the data itself; a publisher's own wins.</summary>
    private static byte[] WithType(JsonElement data, string type)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (!data.TryGetProperty("type", out _))
            {
                writer.WriteString("type", type);
            }

            foreach (var property in data.EnumerateObject())
            {
                property.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
