using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace RealtimeHub.Server.Hosting;

/// <summary>
/// Reads query parameters straight from the query string, decoded as <see cref="HttpRequest.Query"/> decodes
/// them and with names compared ignoring case as it does, but without building that collection: once built it
/// stays with the request, and an SSE stream's or a WebSocket's request lasts as long as the connection.
/// </summary>
internal static class QueryParameters
{
    /// <summary>Every value of <paramref name="name"/>, in order; empty when it is absent.</summary>
    public static StringValues Get(HttpRequest request, string name)
    {
        var values = StringValues.Empty;
        foreach (var pair in new QueryStringEnumerable(request.QueryString.Value))
        {
            if (pair.DecodeName().Span.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                values = StringValues.Concat(values, pair.DecodeValue().ToString());
            }
        }

        return values;
    }

    /// <summary>Whether <paramref name="name"/> is given at all, with or without a value (a name alone reads as one empty value).</summary>
    public static bool Contains(HttpRequest request, string name) => Get(request, name).Count > 0;
}
