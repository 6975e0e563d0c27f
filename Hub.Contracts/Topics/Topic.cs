using System.Diagnostics.CodeAnalysis;

namespace RealtimeHub.Contracts.Topics;

/// <summary>
/// A validated topic name (<c>family:id</c>). Every topic string the hub reads or writes is built
/// or parsed here, so no other code needs to know the format.
/// </summary>
public readonly record struct Topic
{
    /// <summary>Longest id accepted after the family prefix.</summary>
    public const int MaxIdLength = 128;

    private Topic(TopicFamily family, string id)
    {
        Family = family;
        Id = id;
    }

    /// <summary>The product family the topic belongs to.</summary>
    public TopicFamily Family { get; }

    /// <summary>The merchant, BOM or batch id.</summary>
    public string Id { get; }

    /// <summary>The topic for one merchant's PO sync workflows.</summary>
    public static Topic Merchant(string merchantId) => Create(TopicFamily.Merchant, merchantId);

    /// <summary>The topic for one BOM's enrichment.</summary>
    public static Topic Bom(string bomId) => Create(TopicFamily.Bom, bomId);

    /// <summary>The topic for one OMR batch.</summary>
    public static Topic Batch(string batchId) => Create(TopicFamily.Batch, batchId);

    /// <summary>Parses <paramref name="value"/> or throws a <see cref="FormatException"/> naming the bad part.</summary>
    public static Topic Parse(string? value) =>
        TryParse(value, out var topic, out var error) ? topic : throw new FormatException(error);

    /// <summary>Parses <paramref name="value"/>; on failure <paramref name="error"/> names the bad part.</summary>
    public static bool TryParse(string? value, out Topic topic, [NotNullWhen(false)] out string? error)
    {
        topic = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "The topic is empty; expected 'merchant:{id}', 'bom:{id}' or 'batch:{id}'.";
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            error = $"The topic '{ClientInput.Printable(value)}' has no family prefix; expected 'merchant:', 'bom:' or 'batch:'.";
            return false;
        }

        var prefix = value[..colon];
        TopicFamily family;
        switch (prefix)
        {
            case "merchant": family = TopicFamily.Merchant; break;
            case "bom": family = TopicFamily.Bom; break;
            case "batch": family = TopicFamily.Batch; break;
            default:
                error = $"The topic family '{ClientInput.Printable(prefix)}' is unknown; expected 'merchant', 'bom' or 'batch'.";
                return false;
        }

        if (!TryValidateId(value[(colon + 1)..], out error))
        {
            error = $"The id of topic '{ClientInput.Printable(value)}' is invalid: {error}";
            return false;
        }

        topic = new Topic(family, value[(colon + 1)..]);
        return true;
    }

    /// <summary>Checks a merchant, BOM or batch id: 1 to 128 characters of <c>[A-Za-z0-9_.-]</c>.</summary>
    public static bool TryValidateId(string? id, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(id))
        {
            error = "the id is empty.";
            return false;
        }

        if (id.Length > MaxIdLength)
        {
            error = $"the id is {id.Length} characters long; at most {MaxIdLength} are allowed.";
            return false;
        }

        for (var i = 0; i < id.Length; i++)
        {
            if (!IsIdChar(id[i]))
            {
                error = $"the character {Describe(id[i])} at position {i} is not allowed; use only A-Z, a-z, 0-9, '_', '.' and '-'.";
                return false;
            }
        }

        error = null;
        return true;
    }

    /// <summary>The canonical text form, <c>family:id</c>.</summary>
    public override string ToString() => $"{FamilyPrefix(Family)}:{Id}";

    private static Topic Create(TopicFamily family, string id) =>
        TryValidateId(id, out var error) ? new Topic(family, id) : throw new FormatException($"Invalid {FamilyPrefix(family)} id: {error}");

    private static string FamilyPrefix(TopicFamily family) => family switch
    {
        TopicFamily.Merchant => "merchant",
        TopicFamily.Bom => "bom",
        TopicFamily.Batch => "batch",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Unknown topic family."),
    };

    private static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';

    private static string Describe(char c) => char.IsControl(c) || char.IsWhiteSpace(c) || c > '~'
        ? $"U+{(int)c:X4}"
        : $"'{c}'";
}
