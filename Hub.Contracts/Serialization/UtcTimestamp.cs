using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePack;
using MessagePack.Formatters;

namespace RealtimeHub.Contracts.Serialization;

/// <summary>
/// The one text form of an event timestamp, <c>2026-11-22T10:00:00.000Z</c>, used by JSON and by
/// MessagePack alike so every client sees the same string.
/// </summary>
public static class UtcTimestamp
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Formats <paramref name="value"/> in UTC with milliseconds.</summary>
    public static string ToText(DateTimeOffset value) =>
        value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Parses any ISO 8601 timestamp; offsets are kept.</summary>
    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>System.Text.Json converter for the timestamp form.</summary>
    public sealed class JsonConverter : JsonConverter<DateTimeOffset>
    {
        /// <inheritdoc />
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Parse(reader.GetString() ?? throw new JsonException("The timestamp is null."));

        /// <inheritdoc />
        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(ToText(value));
    }

    /// <summary>MessagePack formatter for the timestamp form.</summary>
    public sealed class MessagePackFormatter : IMessagePackFormatter<DateTimeOffset>
    {
        /// <inheritdoc />
        public void Serialize(ref MessagePackWriter writer, DateTimeOffset value, MessagePackSerializerOptions options) =>
            writer.Write(ToText(value));

        /// <inheritdoc />
        public DateTimeOffset Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            Parse(reader.ReadString() ?? throw new MessagePackSerializationException("The timestamp is nil."));
    }
}
