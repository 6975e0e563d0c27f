using RealtimeHub.Contracts.Hub;

namespace RealtimeHub.Client.Internal;

/// <summary>One node: its hub address for SignalR and its base address for HTTP publishing.</summary>
internal sealed record HubEndpoint(Uri Hub, Uri Base)
{
    /// <summary>Reads the configured URLs, each a node's base address or its hub address.</summary>
    public static IReadOnlyList<HubEndpoint> From(IEnumerable<Uri> urls)
    {
        var endpoints = new List<HubEndpoint>();
        foreach (var url in urls)
        {
            if (url is null || !url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"'{url}' is not an absolute http or https URL of a hub node.", nameof(urls));
            }

            var path = url.AbsolutePath.TrimEnd('/');
            var basePath = path.EndsWith(HubRoutes.ProgressHub, StringComparison.OrdinalIgnoreCase)
                ? path[..^HubRoutes.ProgressHub.Length]
                : path;
            var baseUri = new UriBuilder(url) { Path = basePath + "/", Query = string.Empty, Fragment = string.Empty }.Uri;
            endpoints.Add(new HubEndpoint(new Uri(baseUri, HubRoutes.ProgressHub.TrimStart('/')), baseUri));
        }

        return endpoints.Count > 0
            ? endpoints
            : throw new ArgumentException("RealtimeHubClientOptions.Urls is empty; add the hub's URL (or one per node).", nameof(urls));
    }
}
