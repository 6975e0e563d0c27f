using System.Diagnostics.CodeAnalysis;
using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Server.Hubs;

/// <summary>
/// Reads the last event id a client hands back (hub <c>Subscribe</c>, SSE <c>Last-Event-ID</c>) strictly:
/// ASCII digits around one dash and nothing else. <see cref="HubEventId.TryParse"/> goes through
/// <c>long.TryParse</c>, which lets trailing NUL characters through.
/// </summary>
internal static class ClientEventId
{
    public static bool TryParse([NotNullWhen(true)] string? value, out HubEventId id)
    {
        id = default;
        return value is not null && value.All(c => char.IsAsciiDigit(c) || c == '-') && HubEventId.TryParse(value, out id);
    }
}
