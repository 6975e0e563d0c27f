using System.Text.Json;

namespace RealtimeHub.Server.Auth;

/// <summary>The organisation an event's data names (the bom envelope's <c>organization_id</c>), if any.</summary>
internal static class DataOrganization
{
    /// <remarks>Text that is not Unicode counts as none here; the event validator rejects it with 400.</remarks>
    public static string? Of(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("organization_id", out var organization)
            || organization.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return organization.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
