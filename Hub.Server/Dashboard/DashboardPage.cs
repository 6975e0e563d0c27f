using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace RealtimeHub.Server.Dashboard;

/// <summary>
/// Serves the page at <c>/</c> and its script and styles at <c>/dashboard/{file}</c>. The files are
/// embedded in the assembly rather than served from wwwroot, so the same bytes reach the browser from
/// <c>dotnet run</c>, a published output and a test host, whatever their content root.
/// </summary>
internal sealed class DashboardPage
{
    // The page reads only its own origin; no-referrer keeps an ?access_token= in the address bar from leaking.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

    private const string ResourcePrefix = "dashboard/";

    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public DashboardPage()
    {
        var assembly = typeof(DashboardPage).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
            _assets[name[ResourcePrefix.Length..]] = new Asset(bytes, ContentTypeOf(name), tag);
        }
    }

    /// <summary>Answers with the embedded <paramref name="file"/>, or 404; conditional requests get 304.</summary>
    public IResult Serve(HttpContext http, string file)
    {
        if (!_assets.TryGetValue(file, out var asset))
        {
            return Results.NotFound();
        }

        var headers = http.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        return Results.Bytes(asset.Bytes, asset.ContentType, entityTag: asset.Tag);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Bytes, string ContentType, EntityTagHeaderValue Tag);
}
