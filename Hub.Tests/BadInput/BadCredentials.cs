using System.Net;
using System.Security.Cryptography;
using System.Text;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.BadInput;

/// <summary>
/// A credential as it goes on the wire: a raw <c>Authorization</c> header, an <c>access_token</c> query
/// value, an <c>X-Api-Key</c>, and the status the hub must answer it with.
/// </summary>
public sealed record Credential(
    string? Authorization = null, string? QueryToken = null, string? ApiKey = null, HttpStatusCode Expected = HttpStatusCode.Unauthorized)
{
    /// <summary>Adds the query token, if any, to <paramref name="path"/>.</summary>
    public string Apply(string path) => QueryToken is null
        ? path
        : $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}access_token={Uri.EscapeDataString(QueryToken)}";

    /// <summary>Adds the headers, if any, to <paramref name="request"/>.</summary>
    public void Apply(HttpRequestMessage request)
    {
        if (Authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", Authorization);
        }

        if (ApiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Api-Key", ApiKey);
        }
    }
}

/// <summary>Every malformed, forged or misplaced credential of the suite, by name.</summary>
public static class BadCredentials
{
    public const string TooLargeForHeaders = "a 64 KB token in the header";
    public const string TooLongForTheUrl = "a 10 KB token in the query";

    public static IEnumerable<string> Names =>
    [
        "an empty bearer token", "an empty access_token", "one segment", "two segments", "four segments", "five segments of garbage",
        "base64 garbage in three segments", "a JSON header with a payload that is not JSON", "a JSON header with an array payload",
        "16 KB of garbage", TooLargeForHeaders, TooLongForTheUrl, "CR LF inside a query token", "NUL inside a query token",
        "the Token scheme", "the Basic scheme", "Bearer without a space", "Bearer with trailing junk",
        "another audience", "no audience", "not valid yet", "HS512 with the right key", "an RS256 header over an HMAC signature",
        "alg none with a signature", "alg None without a signature", "expired a minute ago", "no expiry",
        "the signature of another token", "a key one byte off", "a kid pointing at a file, signed with an empty key",
        "the API key as a bearer token", "an unknown API key beside a good bearer token", "the API key in upper case",
        "a good query token behind a bad header",
    ];

    public static Credential For(string name)
    {
        var good = BadTokens.Valid("mallory", roles: ["admin"]);
        var claims = BadTokens.Claims();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return name switch
        {
            "an empty bearer token" => Bearer(string.Empty),
            "an empty access_token" => new Credential(QueryToken: string.Empty),
            "one segment" => Bearer(BadTokens.Encode("""{"alg":"HS256","typ":"JWT"}""")),
            "two segments" => Bearer(string.Join('.', good.Split('.')[..2])),
            "four segments" => Bearer($"{good}.{good.Split('.')[2]}"),
            "five segments of garbage" => Bearer("aaaa.bbbb.cccc.dddd.eeee"),
            "base64 garbage in three segments" => Bearer("!!!!.@@@@.####"),
            "a JSON header with a payload that is not JSON" => Bearer(Parts(BadTokens.Encode("""{"alg":"HS256","typ":"JWT"}"""), BadTokens.Encode("sub=mallory;role=admin"), BadTokens.Encode("signature"))),
            "a JSON header with an array payload" => Bearer(Parts(BadTokens.Encode("""{"alg":"HS256","typ":"JWT"}"""), BadTokens.Encode("""["admin"]"""), BadTokens.Encode("signature"))),
            "16 KB of garbage" => Bearer(new string('A', 16 * 1024)),
            TooLargeForHeaders => new Credential($"Bearer {new string('A', 64 * 1024)}", Expected: HttpStatusCode.RequestHeaderFieldsTooLarge),
            TooLongForTheUrl => new Credential(QueryToken: new string('A', 10 * 1024), Expected: HttpStatusCode.RequestUriTooLong),
            "CR LF inside a query token" => new Credential(QueryToken: $"{good}\r\nX-Api-Key: {TestTokens.ApiKey}"),
            "NUL inside a query token" => new Credential(QueryToken: $"{good}\0"),
            "the Token scheme" => new Credential($"Token {good}"),
            "the Basic scheme" => new Credential($"Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{TestTokens.ApiKey}"))}"),
            "Bearer without a space" => new Credential($"Bearer{good}"),
            "Bearer with trailing junk" => Bearer($"{good} junk"),
            "another audience" => Bearer(BadTokens.Sign(BadTokens.Header("HS256"), With(claims, "aud", "billing-service"))),
            "no audience" => Bearer(BadTokens.Sign(BadTokens.Header("HS256"), Without(claims, "aud"))),
            "not valid yet" => Bearer(BadTokens.Sign(BadTokens.Header("HS256"), With(With(claims, "nbf", now + 600), "iat", now))),
            "HS512 with the right key" => Bearer(BadTokens.Sign(BadTokens.Header("HS512"), claims, HMACSHA512.HashData)),
            "an RS256 header over an HMAC signature" => Bearer(BadTokens.Sign(BadTokens.Header("RS256"), claims)),
            "alg none with a signature" => Bearer(BadTokens.WithSignature(BadTokens.Header("none"), claims, BadTokens.Encode("signature"))),
            "alg None without a signature" => Bearer(BadTokens.WithSignature(BadTokens.Header("None"), claims, string.Empty)),
            "expired a minute ago" => Bearer(BadTokens.Sign(BadTokens.Header("HS256"), With(With(With(claims, "exp", now - 60), "nbf", now - 600), "iat", now - 600))),
            "no expiry" => Bearer(BadTokens.Sign(BadTokens.Header("HS256"), Without(claims, "exp"))),
            "the signature of another token" => Bearer(Parts(
                string.Join('.', BadTokens.WithSignature(BadTokens.Header("HS256"), claims, string.Empty).Split('.')[..2]),
                BadTokens.Valid("reader", roles: ["reader"]).Split('.')[2])),
            "a key one byte off" => Bearer(BadTokens.Sign(BadTokens.Header("HS256"), claims, (key, data) => HMACSHA256.HashData((byte[])[.. key[..^1], (byte)(key[^1] ^ 1)], data))),
            "a kid pointing at a file, signed with an empty key" => Bearer(BadTokens.Sign(
                new Dictionary<string, object> { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = "../../../../dev/null" }, claims, (_, data) => HMACSHA256.HashData(Array.Empty<byte>(), data))),
            "the API key as a bearer token" => Bearer(TestTokens.ApiKey),
            "an unknown API key beside a good bearer token" => new Credential($"Bearer {good}", ApiKey: "unknown-api-key-0123456789"),
            "the API key in upper case" => new Credential(ApiKey: TestTokens.ApiKey.ToUpperInvariant()),
            "a good query token behind a bad header" => new Credential("Bearer not.a.jwt", QueryToken: good),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such credential."),
        };
    }

    private static Credential Bearer(string token) => new($"Bearer {token}");

    private static string Parts(params string[] parts) => string.Join('.', parts);

    private static Dictionary<string, object> With(Dictionary<string, object> claims, string name, object value) =>
        new(claims) { [name] = value };

    private static Dictionary<string, object> Without(Dictionary<string, object> claims, string name)
    {
        var copy = new Dictionary<string, object>(claims);
        copy.Remove(name);
        return copy;
    }
}
