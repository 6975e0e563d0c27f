using System.Text.Json;
using RealtimeHub.Contracts;
using RealtimeHub.Contracts.Payloads;
using static RealtimeHub.Server.Publishing.JsonKinds;

namespace RealtimeHub.Server.Publishing;

/// <summary>
/// Checks event data against its family's <see cref="PayloadRules"/>: each declared field's type and
/// range (percentages 0..100, counts non-negative integers), the required fields, and the field that
/// must repeat the event type. Throws <see cref="EventRejectedException"/> naming the bad field.
/// </summary>
internal static class PayloadValidator
{
    /// <summary>Validates the data, a JSON object, of an event of <paramref name="type"/>.</summary>
    public static void Validate(PayloadRules rules, string type, JsonElement data)
    {
        Check(data, rules.Fields, "data");

        if (rules.EventTypeField is { } field
            && data.TryGetProperty(field, out var given)
            && given.ValueKind == JsonValueKind.String
            && given.GetString() != type)
        {
            throw new EventRejectedException($"data.{field}", $"'{ClientInput.Printable(given.GetString()!)}' does not match the event type '{type}'.");
        }
    }

    private static void Check(JsonElement obj, IReadOnlyList<PayloadField> fields, string path)
    {
        foreach (var field in fields)
        {
            var at = $"{path}.{field.Name}";
            if (!obj.TryGetProperty(field.Name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (field.Required)
                {
                    throw new EventRejectedException(at, "This field is required.");
                }

                continue;
            }

            CheckValue(field, value, at);
        }
    }

    private static void CheckValue(PayloadField field, JsonElement value, string path)
    {
        switch (field.Kind)
        {
            case PayloadFieldKind.Text when value.ValueKind != JsonValueKind.String:
                throw new EventRejectedException(path, $"Expected a string, got {Describe(value.ValueKind)}.");
            case PayloadFieldKind.Percent:
                var percent = Number(value, path);
                if (percent is < 0 or > 100)
                {
                    throw new EventRejectedException(path, $"A percentage must lie between 0 and 100; got {value.GetRawText()}.");
                }

                break;
            case PayloadFieldKind.Seconds when Number(value, path) < 0:
                throw new EventRejectedException(path, $"A duration must not be negative; got {value.GetRawText()}.");
            case PayloadFieldKind.Count:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var count))
                {
                    throw new EventRejectedException(path, $"Expected a whole number, got {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : Describe(value.ValueKind))}.");
                }

                if (count < 0)
                {
                    throw new EventRejectedException(path, $"A count must not be negative; got {count}.");
                }

                break;
            case PayloadFieldKind.Nested when value.ValueKind != JsonValueKind.Object:
                throw new EventRejectedException(path, $"Expected an object, got {Describe(value.ValueKind)}.");
            case PayloadFieldKind.Nested:
                Check(value, field.Fields, path);
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
