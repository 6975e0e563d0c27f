using System.Text.Json;

namespace RealtimeHub.Server.Auth;

/// <summary>The organisation an event's data names (the bom envelope's <c>organization_id</c>), if any.</summary>
internal static class DataOrganization
{
    public static string? Of(JsonElement data) =>
        data.ValueKind == JsonValueKind.Object
        && data.TryGetProperty("organization_id", out var organization)
        && organization.ValueKind == JsonValueKind.String
            ? organization.GetString()
            : null;
}
