namespace RealtimeHub.Server.Hosting;

/// <summary>Makes client input safe to echo in an error message.</summary>
internal static class ClientText
{
    /// <summary>At most 64 characters of <paramref name="value"/>, control characters shown as '?'.</summary>
    public static string Printable(string value) =>
        new([.. value.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
}
