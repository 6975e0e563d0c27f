namespace RealtimeHub.Tests.BadInput;

/// <summary>
/// Malformed topics, written with <c>{id}</c> standing for a fresh id, each with the well-formed topic it
/// imitates (which must stay empty) and the part a rejection must name.
/// </summary>
public static class BadTopics
{
    private static readonly (string Name, string Pattern, string Near, string NamedPart)[] All =
    [
        ("CR at the end", "bom:{id}\r", "bom:{id}", "U+000D"),
        ("LF inside", "batch:{id}\nx", "batch:{id}", "U+000A"),
        ("CR LF and a forged line", "merchant:{id}\r\nid: 1-0", "merchant:{id}", "U+000D"),
        ("NUL", "bom:{id}\0", "bom:{id}", "U+0000"),
        ("tab", "merchant:{id}\t1", "merchant:{id}", "U+0009"),
        ("next line U+0085", "batch:{id}\u0085", "batch:{id}", "U+0085"),
        ("line separator U+2028", "merchant:{id}\u2028", "merchant:{id}", "U+2028"),
        ("fullwidth colon", "bom\uFF1A{id}", "bom:{id}", "no family prefix"),
        ("Cyrillic o in the family", "b\u043Em:{id}", "bom:{id}", "family 'b\u043Em' is unknown"),
        ("Cyrillic a in the id", "batch:{id}\u0430", "batch:{id}", "U+0430"),
        ("Greek capital alpha in the id", "batch:{id}\u0391", "batch:{id}", "U+0391"),
        ("zero-width space in the id", "bom:{id}\u200B", "bom:{id}", "U+200B"),
        ("zero-width space before the family", "\u200Bbatch:{id}", "batch:{id}", "is unknown"),
        ("byte order mark before the family", "\uFEFFbom:{id}", "bom:{id}", "is unknown"),
        ("right-to-left override", "merchant:{id}\u202Egnp", "merchant:{id}", "U+202E"),
        ("emoji", "batch:{id}\U0001F680", "batch:{id}", "U+D83D"),
        ("combining accent", "bom:{id}e\u0301", "bom:{id}", "U+0301"),
        ("no-break space", "merchant:{id}\u00A0", "merchant:{id}", "U+00A0"),
        ("fullwidth digits", "batch:{id}\uFF11\uFF12", "batch:{id}", "U+FF11"),
        ("a percent-encoded slash kept as text", "bom:{id}%2Fx", "bom:{id}", "'%'"),
        ("129-character id", "batch:{id}" + new string('x', 129), "batch:{id}", "characters long; at most 128"),
        ("'*' in the id", "merchant:{id}*", "merchant:{id}", "'*'"),
        ("':' in the id", "batch:{id}:progress", "batch:{id}", "':'"),
        ("trailing colon", "bom:{id}:", "bom:{id}", "':'"),
        ("'?' in the id", "bom:{id}?", "bom:{id}", "'?'"),
        ("empty family", ":{id}", "bom:{id}", "family '' is unknown"),
        ("upper-case family", "BOM:{id}", "bom:{id}", "family 'BOM' is unknown"),
        ("space before the family", " batch:{id}", "batch:{id}", "family ' batch' is unknown"),
    ];

    /// <summary>The names of every case.</summary>
    public static IEnumerable<string> Names => All.Select(c => c.Name);

    /// <summary>The bad topic, the topic it imitates and the part its rejection names, for a fresh id.</summary>
    public static (string Topic, string Near, string NamedPart) For(string name)
    {
        var (_, pattern, near, namedPart) = All.Single(c => c.Name == name);
        var id = $"t{Guid.NewGuid():N}";
        return (pattern.Replace("{id}", id, StringComparison.Ordinal), near.Replace("{id}", id, StringComparison.Ordinal), namedPart);
    }
}
