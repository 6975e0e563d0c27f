using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.Publishing;

/// <summary>
/// Checks an event against docs/contract.md (Topics, Events, Publishing) before anything is stored: the topic, the type its family
/// accepts, the size, the idempotency key, and the products' field types and ranges (percentages 0..100,
/// counts non-negative integers). Throws <see cref="EventRejectedException"/> naming the bad part.
/// </summary>
internal sealed class EventValidator(IOptions<PublishingOptions> options)
{
    private static readonly Dictionary<string, Rule> ChunkProgressFields = new()
    {
        ["current"] = Rule.Count, ["total"] = Rule.Count,
    };

    private static readonly Dictionary<string, Rule> MerchantFields = new()
    {
        ["poId"] = Rule.Text, ["workflowId"] = Rule.Text, ["stage"] = Rule.Text, ["status"] = Rule.Text,
        ["message"] = Rule.Text, ["error"] = Rule.Text, ["progress"] = Rule.Percent,
        ["itemsProcessed"] = Rule.Count, ["totalItems"] = Rule.Count, ["etaSeconds"] = Rule.Seconds,
        ["chunkProgress"] = Rule.Object(ChunkProgressFields),
    };

    private static readonly Dictionary<string, Rule> CurrentItemFields = new()
    {
        ["mpn"] = Rule.Text, ["status"] = Rule.Text, ["message"] = Rule.Text,
    };

    private static readonly Dictionary<string, Rule> BomStateFields = new()
    {
        ["status"] = Rule.Text, ["started_at"] = Rule.Text, ["completed_at"] = Rule.Text, ["last_update"] = Rule.Text,
        ["total_items"] = Rule.Count, ["enriched_items"] = Rule.Count, ["failed_items"] = Rule.Count,
        ["pending_items"] = Rule.Count, ["current_batch"] = Rule.Count, ["total_batches"] = Rule.Count,
        ["percent_complete"] = Rule.Percent, ["estimated_time_remaining"] = Rule.Seconds,
        ["current_item"] = Rule.Object(CurrentItemFields),
    };

    private static readonly Dictionary<string, Rule> BomFields = new()
    {
        ["event_id"] = Rule.Text, ["event_type"] = Rule.Text, ["routing_key"] = Rule.Text, ["bom_id"] = Rule.Text,
        ["organization_id"] = Rule.Text, ["project_id"] = Rule.Text, ["user_id"] = Rule.Text, ["source"] = Rule.Text,
        ["workflow_id"] = Rule.Text, ["workflow_run_id"] = Rule.Text, ["created_at"] = Rule.Text,
        ["state"] = Rule.Object(BomStateFields),
    };

    private static readonly Dictionary<string, Rule> BatchFields = new()
    {
        ["stage"] = Rule.RequiredText, ["message"] = Rule.Text, ["timestamp"] = Rule.Text,
        ["progress_percentage"] = Rule.Percent, ["sheets_total"] = Rule.Count, ["sheets_processed"] = Rule.Count,
        ["elapsed_seconds"] = Rule.Seconds, ["eta_seconds"] = Rule.Seconds,
    };

    /// <summary>Parses the topic or rejects it, naming the bad part.</summary>
    public static Topic ParseTopic(string? topic, string field = "topic") =>
        Topic.TryParse(topic, out var parsed, out var error) ? parsed : throw new EventRejectedException(field, error);

    /// <summary>Validates one event; on success the event may be stored exactly as given.</summary>
    public void Validate(Topic topic, string? type, JsonElement data, string? idempotencyKey)
    {
        var accepted = EventTypes.For(topic.Family);
        if (string.IsNullOrEmpty(type) || !accepted.Contains(type))
        {
            throw new EventRejectedException("type", type is null or ""
                ? $"The event type is missing; a {topic.Family.ToString().ToLowerInvariant()} topic accepts {string.Join(", ", accepted)}."
                : $"'{ClientInput.Printable(type)}' is not an event type of a {topic.Family.ToString().ToLowerInvariant()} topic; use one of {string.Join(", ", accepted)}.");
        }

        if (idempotencyKey is not null)
        {
            ValidateIdempotencyKey(idempotencyKey);
        }

        if (data.ValueKind != JsonValueKind.Object)
        {
            throw new EventRejectedException("data", $"The data must be a JSON object, not {Describe(data.ValueKind)}.");
        }

        CheckStructure(data, "data");
        var size = Encoding.UTF8.GetByteCount(data.GetRawText());
        if (size > options.Value.MaxEventBytes)
        {
            throw new EventRejectedException(
                "data", $"The event data is {size} bytes; at most {options.Value.MaxEventBytes} are accepted.", StatusCodes.Status413PayloadTooLarge);
        }

        var fields = topic.Family switch
        {
            TopicFamily.Merchant => MerchantFields,
            TopicFamily.Bom => BomFields,
            _ => BatchFields,
        };
        Check(data, fields, "data");

        if (topic.Family == TopicFamily.Bom
            && data.TryGetProperty("event_type", out var eventType)
            && eventType.ValueKind == JsonValueKind.String
            && eventType.GetString() != type)
        {
            throw new EventRejectedException("data.event_type", $"'{ClientInput.Printable(eventType.GetString()!)}' does not match the event type '{type}'.");
        }
    }

    private static void ValidateIdempotencyKey(string key)
    {
        if (key.Length is 0 or > PublishingOptions.MaxIdempotencyKeyLength)
        {
            throw new EventRejectedException(
                "idempotencyKey", $"The idempotency key must be 1 to {PublishingOptions.MaxIdempotencyKeyLength} characters long.");
        }

        if (key.Any(c => c < 0x21 || c > 0x7E))
        {
            throw new EventRejectedException("idempotencyKey", "The idempotency key may contain only printable ASCII characters without spaces.");
        }
    }

    private static void Check(JsonElement obj, Dictionary<string, Rule> fields, string path)
    {
        foreach (var (name, rule) in fields)
        {
            var present = obj.TryGetProperty(name, out var value);
            if (!present || value.ValueKind == JsonValueKind.Null)
            {
                if (rule.Kind == Kind.RequiredText)
                {
                    throw new EventRejectedException($"{path}.{name}", "This field is required.");
                }

                continue;
            }

            rule.Check(value, $"{path}.{name}");
        }
    }

    /// <summary>
    /// Rejects what no reader can take apart the same way: text that is not Unicode (a lone surrogate
    /// escape, bytes that are not UTF-8) and a property name given twice in one object.
    /// </summary>
    private static void CheckStructure(JsonElement value, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    var name = Unicode(() => property.Name, path, "A property name");
                    var at = $"{path}.{ClientInput.Printable(name)}";
                    if (!names.Add(name))
                    {
                        throw new EventRejectedException(at, "The property appears more than once in its object; give each name once.");
                    }

                    CheckStructure(property.Value, at);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    CheckStructure(item, $"{path}[{index++}]");
                }

                break;
            case JsonValueKind.String:
                Unicode(value.GetString, path, "The text");
                break;
        }
    }

    private static string Unicode(Func<string?> read, string path, string what)
    {
        try
        {
            return read() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            throw new EventRejectedException(path, $"{what} is not valid Unicode (a lone surrogate escape or bytes that are not UTF-8).");
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "missing",
    };


    private enum Kind
    {
        Text,
        RequiredText,
        Percent,
        Count,
        Seconds,
        Object,
    }

    private sealed record Rule(Kind Kind, Dictionary<string, Rule>? Fields = null)
    {
        public static readonly Rule Text = new(Kind.Text);
        public static readonly Rule RequiredText = new(Kind.RequiredText);
        public static readonly Rule Percent = new(Kind.Percent);
        public static readonly Rule Count = new(Kind.Count);
        public static readonly Rule Seconds = new(Kind.Seconds);

        public static Rule Object(Dictionary<string, Rule> fields) => new(Kind.Object, fields);

        public void Check(JsonElement value, string path)
        {
            switch (Kind)
            {
                case Kind.Text or Kind.RequiredText when value.ValueKind != JsonValueKind.String:
                    throw new EventRejectedException(path, $"Expected a string, got {Describe(value.ValueKind)}.");
                case Kind.Percent:
                    var percent = Number(value, path);
                    if (percent is < 0 or > 100)
                    {
                        throw new EventRejectedException(path, $"A percentage must lie between 0 and 100; got {value.GetRawText()}.");
                    }

                    break;
                case Kind.Seconds when Number(value, path) < 0:
                    throw new EventRejectedException(path, $"A duration must not be negative; got {value.GetRawText()}.");
                case Kind.Count:
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var count))
                    {
                        throw new EventRejectedException(path, $"Expected a whole number, got {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : Describe(value.ValueKind))}.");
                    }

                    if (count < 0)
                    {
                        throw new EventRejectedException(path, $"A count must not be negative; got {count}.");
                    }

                    break;
                case Kind.Object when value.ValueKind != JsonValueKind.Object:
                    throw new EventRejectedException(path, $"Expected an object, got {Describe(value.ValueKind)}.");
                case Kind.Object:
                    EventValidator.Check(value, Fields!, path);
                    break;
            }
        }

        private static double Number(JsonElement value, string path)
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                throw new EventRejectedException(path, $"Expected a number, got {Describe(value.ValueKind)}.");
            }

            // JSON may spell a number too large for a double (1e999); it must not pass as infinity.
            var number = value.GetDouble();
            return double.IsFinite(number)
                ? number
                : throw new EventRejectedException(path, $"Expected a finite number, got {ClientInput.Printable(value.GetRawText())}.");
        }
    }
}
