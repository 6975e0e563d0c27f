using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.BadInput;

/// <summary>
/// JWTs assembled by hand, so every part (header, claims, signature) can be wrong on purpose. Good ones
/// are HS256 with <see cref="TestTokens.SigningKey"/> for <see cref="Audience"/>.
/// </summary>
public static class BadTokens
{
    public const string Audience = "realtime-hub";

    private static readonly byte[] Key = Encoding.UTF8.GetBytes(TestTokens.SigningKey);

    /// <summary>A token the bad-input node accepts, valid for two hours.</summary>
    public static string Valid(string subject, string[]? roles = null, string[]? topics = null) =>
        Sign(Header("HS256"), Claims(subject, roles ?? [], topics));

    /// <summary>The claims of a good admin token; callers change one thing.</summary>
    public static Dictionary<string, object> Claims(string subject = "mallory", string[]? roles = null, string[]? topics = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["aud"] = Audience,
            ["roles"] = roles ?? ["admin"],
            ["iat"] = now - 30,
            ["nbf"] = now - 30,
            ["exp"] = now + 7200,
        };
        if (topics is not null)
        {
            claims["topics"] = topics;
        }

        return claims;
    }

    public static Dictionary<string, object> Header(string alg) => new() { ["alg"] = alg, ["typ"] = "JWT" };

    /// <summary>Header and claims signed with HMAC-SHA256 (or <paramref name="sign"/>) over the right key.</summary>
    public static string Sign(object header, object claims, Func<byte[], byte[], byte[]>? sign = null)
    {
        var unsigned = $"{Part(header)}.{Part(claims)}";
        var signature = (sign ?? HMACSHA256.HashData)(Key, Encoding.ASCII.GetBytes(unsigned));
        return $"{unsigned}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>Header and claims with whatever <paramref name="signature"/> is given.</summary>
    public static string WithSignature(object header, object claims, string signature) =>
        $"{Part(header)}.{Part(claims)}.{signature}";

    /// <summary>Base64url of raw text, for parts that are not JSON at all.</summary>
    public static string Encode(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    private static string Part(object json) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(json));
}
