using System.Globalization;

namespace RealtimeHub.Contracts;

/// <summary>Makes text that came from a client safe to echo in an error message or a log line.</summary>
public static class ClientInput
{
    /// <summary>
    /// At most <paramref name="maxLength"/> characters of <paramref name="value"/>, with control and
    /// format characters (line breaks, NUL, bidirectional overrides, zero-width marks) shown as '?'.
    /// </summary>
    public static string Printable(string? value, int maxLength = 64)
    {
        if (value is null)
        {
            return "(null)";
        }

        var shown = value.Length > maxLength ? value[..maxLength] : value;
        var printable = string.Create(shown.Length, shown, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = IsHidden(source[i]) ? '?' : source[i];
            }
        });
        return value.Length > maxLength ? printable + "…" : printable;
    }

    private static bool IsHidden(char c) =>
        char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.Surrogate;
}
