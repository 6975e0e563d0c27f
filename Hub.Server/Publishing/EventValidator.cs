using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Payloads;
using RealtimeHub.Contracts.Topics;
using static RealtimeHub.Server.Publishing.JsonKinds;

namespace RealtimeHub.Server.Publishing;

/// <summary>
/// Checks an event against docs/contract.md (Topics, Events, Publishing) before anything is stored: the topic, the type its family
/// accepts, the size, the idempotency key, and the data against its family's <see cref="PayloadRules"/>
/// (<see cref="PayloadValidator"/>). Throws <see cref="EventRejectedException"/> naming the bad part.
/// </summary>
internal sealed class EventValidator(IOptions<PublishingOptions> options)
{
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

        PayloadValidator.Validate(PayloadRules.For(topic.Family), type, data);
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
}
