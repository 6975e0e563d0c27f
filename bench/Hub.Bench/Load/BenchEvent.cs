using System.Text.Json;

namespace RealtimeHub.Bench.Load;

/// <summary>What the clients read from an event: the publisher's number and timestamp, and the hub's id.</summary>
internal readonly record struct BenchEvent(long Seq, long Sent, string? Id)
{
    /// <summary>Reads <c>data.seq</c>, <c>data.sent</c> and <c>id</c> from an envelope's JSON without building a document.</summary>
    public static BenchEvent FromEnvelopeJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        long seq = -1, sent = 0;
        string? id = null;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.CurrentDepth == 1 && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.GetString();
            }
            else if (reader.CurrentDepth == 2 && reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                seq = reader.GetInt64();
            }
            else if (reader.CurrentDepth == 2 && reader.ValueTextEquals("sent"u8))
            {
                reader.Read();
                sent = reader.GetInt64();
            }
        }

        return new BenchEvent(seq, sent, id);
    }

    /// <summary>Reads the same from an envelope's <c>data</c> as the SignalR client hands it over.</summary>
    public static BenchEvent FromData(JsonElement data, string id) =>
        new(
            data.TryGetProperty("seq", out var seq) ? seq.GetInt64() : -1,
            data.TryGetProperty("sent", out var sent) ? sent.GetInt64() : 0,
            id);
}
