using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>Signs real HS256 JWTs the way an identity provider would, for nodes started with <see cref="SigningKey"/>.</summary>
public static class TestTokens
{
    public const string SigningKey = "test-signing-key-of-at-least-32-bytes-0123456789";
    public const string ApiKey = "test-api-key-0123456789abcdef";

    /// <summary>The settings that turn auth on for a test node.</summary>
    public static Dictionary<string, string?> AuthSettings() => new()
    {
        ["Auth:SigningKey"] = SigningKey,
        ["Auth:ApiKeys:0"] = ApiKey,
    };

    /// <summary>A token with the given claims; arrays (topics, roles) become JSON arrays.</summary>
    public static string Create(
        string subject,
        string? organization = null,
        string? merchant = null,
        string[]? topics = null,
        string[]? roles = null,
        TimeSpan? lifetime = null,
        string key = SigningKey)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (organization is not null)
        {
            claims["organization_id"] = organization;
        }

        if (merchant is not null)
        {
            claims["merchant_id"] = merchant;
        }

        if (topics is not null)
        {
            claims["topics"] = topics;
        }

        if (roles is not null)
        {
            claims["roles"] = roles;
        }

        var now = DateTime.UtcNow;
        var expires = now + (lifetime ?? TimeSpan.FromMinutes(10));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            NotBefore = expires < now ? expires.AddMinutes(-1) : now.AddSeconds(-30),
            IssuedAt = expires < now ? expires.AddMinutes(-1) : now.AddSeconds(-30),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) carrying admin claims: it must never be accepted.</summary>
    public static string WithoutSignature() =>
        $"{Base64Url("""{"alg":"none","typ":"JWT"}""")}.{Base64Url($$"""{"sub":"mallory","roles":["admin"],"exp":{{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}}}""")}.";

    private static string Base64Url(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
}
