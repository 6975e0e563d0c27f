using System.Globalization;
using System.Security.Claims;

namespace RealtimeHub.Server.Auth;

/// <summary>The claim and role names of docs/contract.md (Auth), and how to read them from a caller.</summary>
internal static class HubClaims
{
    public const string MerchantId = "merchant_id";
    public const string Topics = "topics";
    public const string OrganizationId = "organization_id";
    public const string PublisherRole = "publisher";
    public const string AdminRole = "admin";

    /// <summary>True when the caller holds <paramref name="role"/> in a <c>role</c> or <c>roles</c> claim.</summary>
    public static bool HasRole(this ClaimsPrincipal user, string role) =>
        user.Claims.Any(c => c.Type is "role" or "roles" or ClaimTypes.Role && string.Equals(c.Value, role, StringComparison.Ordinal));

    public static bool IsAdmin(this ClaimsPrincipal user) => user.HasRole(AdminRole);

    public static bool MayPublish(this ClaimsPrincipal user) => user.IsAdmin() || user.HasRole(PublisherRole);

    /// <summary>When the caller's token expires, if it carries an <c>exp</c> claim.</summary>
    public static DateTimeOffset? ExpiresAt(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>Who the caller is for per-tenant limits: the organisation, else the merchant, else the subject.</summary>
    public static string? Tenant(this ClaimsPrincipal user) =>
        user.FindFirst(OrganizationId)?.Value ?? user.FindFirst(MerchantId)?.Value ?? user.FindFirst("sub")?.Value;
}
