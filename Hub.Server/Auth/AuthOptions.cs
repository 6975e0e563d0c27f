using System.ComponentModel.DataAnnotations;
using System.Text;

namespace RealtimeHub.Server.Auth;

/// <summary>
/// How callers prove who they are (section <c>Auth</c>): an HS256 key or an OIDC authority for JWTs,
/// and API keys for server-to-server publishers. Without a key or authority the hub runs open, which
/// only Development allows.
/// </summary>
public sealed class AuthOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Auth";

    /// <summary>The HS256 signing key of JWTs, at least 32 bytes (<c>Auth__SigningKey</c>).</summary>
    public string? SigningKey { get; set; }

    /// <summary>An OIDC authority whose published keys sign JWTs (RS256), instead of a signing key (<c>Auth__Authority</c>).</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must name, if set.</summary>
    public string? Audience { get; set; }

    /// <summary>The issuer tokens must name, if set (with a signing key; an authority sets its own).</summary>
    public string? Issuer { get; set; }

    /// <summary>Keys accepted in <c>X-Api-Key</c>; each acts as admin (<c>Auth__ApiKeys__0</c>, ...).</summary>
    public IList<string> ApiKeys { get; } = [];

    /// <summary>True when tokens are checked; false means the hub runs open.</summary>
    public bool Enabled => !string.IsNullOrEmpty(SigningKey) || !string.IsNullOrEmpty(Authority);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(SigningKey) && !string.IsNullOrEmpty(Authority))
        {
            yield return new ValidationResult("Set either Auth:SigningKey or Auth:Authority, not both.");
        }

        if (!string.IsNullOrEmpty(SigningKey) && Encoding.UTF8.GetByteCount(SigningKey) < 32)
        {
            yield return new ValidationResult("Auth:SigningKey must be at least 32 bytes long.");
        }

        if (!string.IsNullOrEmpty(Authority) && !Uri.TryCreate(Authority, UriKind.Absolute, out _))
        {
            yield return new ValidationResult("Auth:Authority must be an absolute URL.");
        }

        if (ApiKeys.Any(key => key.Length < 16))
        {
            yield return new ValidationResult("Every Auth:ApiKeys entry must be at least 16 characters long.");
        }
    }
}
