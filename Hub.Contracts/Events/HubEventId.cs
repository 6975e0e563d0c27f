using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace RealtimeHub.Contracts.Events;

/// <summary>
/// An event id, <c>{milliseconds}-{sequence}</c> as Redis Streams assign them. Ids are ordered within a
/// topic, so a client can hand back the last one it saw and compare ids to drop duplicates.
/// </summary>
public readonly record struct HubEventId(long Milliseconds, long Sequence) : IComparable<HubEventId>
{
    /// <summary>Longest text an id can have (two 20-digit numbers and a dash).</summary>
    public const int MaxLength = 41;

    /// <summary>
    /// <c>0-0</c>, the position before a topic's first event: where a subscription that began while its
    /// topic had no events resumes from, so whatever was published since is replayed.
    /// </summary>
    public static readonly HubEventId Beginning = new(0, 0);

    private static readonly System.Buffers.SearchValues<char> AsciiDigits = System.Buffers.SearchValues.Create("0123456789");

    /// <summary>Parses an id or throws a <see cref="FormatException"/> that says what is wrong.</summary>
    public static HubEventId Parse(string? value) =>
        TryParse(value, out var id) ? id : throw new FormatException(
            $"'{ClientInput.Printable(value)}' is not an event id; expected '<milliseconds>-<sequence>', for example '1732300000000-0'.");

    /// <summary>Parses an id of the form <c>{milliseconds}-{sequence}</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out HubEventId id)
    {
        id = default;
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        var dash = value.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || dash == value.Length - 1)
        {
            return false;
        }

        // Only ASCII digits around the dash: number parsing alone would let trailing NULs through.
        if (value.AsSpan(0, dash).ContainsAnyExcept(AsciiDigits) || value.AsSpan(dash + 1).ContainsAnyExcept(AsciiDigits))
        {
            return false;
        }

        const NumberStyles digitsOnly = NumberStyles.None;
        if (!long.TryParse(value.AsSpan(0, dash), digitsOnly, CultureInfo.InvariantCulture, out var ms)
            || !long.TryParse(value.AsSpan(dash + 1), digitsOnly, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        id = new HubEventId(ms, seq);
        return true;
    }

    /// <summary>Orders ids by time, then by sequence.</summary>
    public int CompareTo(HubEventId other)
    {
        var byTime = Milliseconds.CompareTo(other.Milliseconds);
        return byTime != 0 ? byTime : Sequence.CompareTo(other.Sequence);
    }

    /// <summary>True when <paramref name="left"/> comes before <paramref name="right"/>.</summary>
    public static bool operator <(HubEventId left, HubEventId right) => left.CompareTo(right) < 0;

    /// <summary>True when <paramref name="left"/> comes after <paramref name="right"/>.</summary>
    public static bool operator >(HubEventId left, HubEventId right) => left.CompareTo(right) > 0;

    /// <summary>True when <paramref name="left"/> is not after <paramref name="right"/>.</summary>
    public static bool operator <=(HubEventId left, HubEventId right) => left.CompareTo(right) <= 0;

    /// <summary>True when <paramref name="left"/> is not before <paramref name="right"/>.</summary>
    public static bool operator >=(HubEventId left, HubEventId right) => left.CompareTo(right) >= 0;

    /// <summary>The wire form, for example <c>1732300000000-0</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");
}
