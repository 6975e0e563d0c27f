namespace RealtimeHub.Contracts.Payloads;

/// <summary>
/// One field the hub checks in a product's payload: its JSON name, what it holds, whether it must be
/// given, and for an object its own fields. A field left out or null passes unless it is required.
/// </summary>
/// <param name="Name">The JSON property name.</param>
/// <param name="Kind">What the field holds.</param>
/// <param name="Required">True when the field must be given and not null.</param>
/// <param name="Fields">The fields of an <see cref="PayloadFieldKind.Nested"/>; empty otherwise.</param>
public sealed record PayloadField(string Name, PayloadFieldKind Kind, bool Required, IReadOnlyList<PayloadField> Fields)
{
    /// <summary>An optional string.</summary>
    public static PayloadField Text(string name) => new(name, PayloadFieldKind.Text, false, []);

    /// <summary>A string that must be given.</summary>
    public static PayloadField RequiredText(string name) => new(name, PayloadFieldKind.Text, true, []);

    /// <summary>An optional percentage, 0 to 100.</summary>
    public static PayloadField Percent(string name) => new(name, PayloadFieldKind.Percent, false, []);

    /// <summary>An optional non-negative whole number.</summary>
    public static PayloadField Count(string name) => new(name, PayloadFieldKind.Count, false, []);

    /// <summary>An optional non-negative duration in seconds.</summary>
    public static PayloadField Seconds(string name) => new(name, PayloadFieldKind.Seconds, false, []);

    /// <summary>An optional object with the given fields.</summary>
    public static PayloadField Nested(string name, params IReadOnlyList<PayloadField> fields) =>
        new(name, PayloadFieldKind.Nested, false, fields);
}
