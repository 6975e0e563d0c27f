using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.OpenApi;

/// <summary>
/// <c>GET /openapi/v1.json</c> (docs/contract.md, Operations): read with the OpenAPI reader library, it
/// has no diagnostics, describes every route with its problems and credentials, and each documented
/// request example is accepted by a real hub.
/// </summary>
public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private const string DocumentRoute = "/openapi/v1.json";

    private static readonly string[] ProblemStatuses = ["400", "401", "403", "413", "415", "429", "503"];

    private static readonly string[] EventStreamRoutes =
    [
        "/api/sse", "/api/realtime/events/{merchantId}", "/api/realtime/events", "/api/enrichment/stream/{bomId}", "/api/batches/{batchId}/stream",
    ];

    private HubNode _node = null!;

    public async Task InitializeAsync() => _node = await HubNode.StartAsync(null, TestTokens.AuthSettings());

    public Task DisposeAsync() => _node.DisposeAsync().AsTask();

    [Fact]
    public async Task The_served_document_reads_and_validates_without_a_diagnostic()
    {
        var (document, diagnostic) = await ReadDocumentAsync(_node.Http);

        Assert.Empty(diagnostic.Errors);
        Assert.Empty(diagnostic.Warnings);
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
        Assert.Equal("RealtimeHub", document.Info.Title);
    }

    [Fact]
    public async Task Every_route_is_described_with_its_problems_streams_and_credentials()
    {
        var (document, _) = await ReadDocumentAsync(_node.Http);

        foreach (var path in new[] { "/api/topics/{topic}/events", "/api/events" })
        {
            var publish = Operation(document, path, HttpMethod.Post);
            Assert.Contains("202", publish.Responses!.Keys);
            foreach (var status in ProblemStatuses)
            {
                var problem = Assert.Contains(status, publish.Responses);
                var schema = Assert.IsType<OpenApiSchemaReference>(problem.Content![ProblemContentType].Schema);
                Assert.Equal("ProblemDetails", schema.Reference.Id);
            }

            AssertCredentials(publish);
        }

        foreach (var path in EventStreamRoutes)
        {
            var stream = Operation(document, path, HttpMethod.Get);
            Assert.Contains("text/event-stream", stream.Responses!["200"].Content!.Keys);
            Assert.Contains("204", stream.Responses.Keys);
            Assert.Contains(stream.Parameters!, p => p.Name == "Last-Event-ID" && p.In == ParameterLocation.Header);
            foreach (var status in new[] { "400", "401", "403", "429", "503" })
            {
                Assert.Contains(ProblemContentType, stream.Responses[status].Content!.Keys);
            }

            AssertCredentials(stream);
        }

        Assert.Contains(Operation(document, "/api/sse", HttpMethod.Get).Parameters!, p => p.Name == "topic" && p.Required);
        AssertCredentials(Operation(document, "/api/topics", HttpMethod.Get));
        AssertCredentials(Operation(document, "/api/stats", HttpMethod.Get));
        Assert.Contains("503", Operation(document, "/health/ready", HttpMethod.Get).Responses!.Keys);
        Assert.Contains("200", Operation(document, "/health/live", HttpMethod.Get).Responses!.Keys);
        Assert.Contains("503", Operation(document, "/api/enrichment/health", HttpMethod.Get).Responses!.Keys);
        Assert.Null(Operation(document, "/api/enrichment/health", HttpMethod.Get).Security);

        var schemes = document.Components!.SecuritySchemes!;
        Assert.Equal(SecuritySchemeType.ApiKey, schemes["ApiKey"].Type);
        Assert.Equal("X-Api-Key", schemes["ApiKey"].Name);
        Assert.Equal(ParameterLocation.Header, schemes["ApiKey"].In);
        Assert.Equal(SecuritySchemeType.Http, schemes["Bearer"].Type);
        Assert.Equal("bearer", schemes["Bearer"].Scheme);
    }

    [Fact]
    public async Task Each_documented_request_example_is_accepted_by_the_hub()
    {
        var (document, _) = await ReadDocumentAsync(_node.Http);
        var posted = 0;
        foreach (var (path, item) in document.Paths)
        {
            if (item.Operations?.GetValueOrDefault(HttpMethod.Post) is not { RequestBody.Content: { } content } operation)
            {
                continue;
            }

            foreach (var (name, example) in content["application/json"].Examples ?? new Dictionary<string, IOpenApiExample>())
            {
                // A path parameter takes its example of the same name, so each body goes to its product's topic.
                var route = path;
                foreach (var parameter in (operation.Parameters ?? []).Where(p => p.In == ParameterLocation.Path))
                {
                    var value = parameter.Examples![name].Value!.GetValue<string>();
                    route = route.Replace($"{{{parameter.Name}}}", Uri.EscapeDataString(value), StringComparison.Ordinal);
                }

                using var request = new HttpRequestMessage(HttpMethod.Post, route)
                {
                    Content = new StringContent(example.Value!.ToJsonString(), Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("X-Api-Key", TestTokens.ApiKey);
                using var response = await _node.Http.SendAsync(request);
                Assert.True(
                    response.StatusCode == HttpStatusCode.Accepted,
                    $"Example '{name}' of POST {path} got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                posted++;
            }
        }

        // One example per product on the single route, and one batch of all three.
        Assert.Equal(4, posted);
    }

    [Fact]
    public async Task With_auth_on_the_document_follows_the_metrics_rule()
    {
        var closed = TestTokens.AuthSettings();
        closed["Metrics:AllowAnonymous"] = "false";
        await using var node = await HubNode.StartAsync(null, closed);

        Assert.Equal(HttpStatusCode.Unauthorized, (await node.Http.GetAsync(new Uri(DocumentRoute, UriKind.Relative))).StatusCode);

        using var asReader = new HttpRequestMessage(HttpMethod.Get, DocumentRoute);
        asReader.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create("reader", topics: ["bom:*"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await node.Http.SendAsync(asReader)).StatusCode);

        using var asAdmin = new HttpRequestMessage(HttpMethod.Get, DocumentRoute);
        asAdmin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create("operator", roles: ["admin"]));
        Assert.Equal(HttpStatusCode.OK, (await node.Http.SendAsync(asAdmin)).StatusCode);

        using var withKey = new HttpRequestMessage(HttpMethod.Get, DocumentRoute);
        withKey.Headers.Add("X-Api-Key", TestTokens.ApiKey);
        using var served = await node.Http.SendAsync(withKey);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("\"openapi\"", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_the_document_is_open_with_auth_on()
    {
        using var response = await _node.Http.GetAsync(new Uri(DocumentRoute, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    private const string ProblemContentType = "application/problem+json";

    private static async Task<(OpenApiDocument Document, OpenApiDiagnostic Diagnostic)> ReadDocumentAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri(DocumentRoute, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var (document, diagnostic) = await OpenApiDocument.LoadAsync(body, "json");
        return (Assert.IsType<OpenApiDocument>(document), Assert.IsType<OpenApiDiagnostic>(diagnostic));
    }

    private static OpenApiOperation Operation(OpenApiDocument document, string path, HttpMethod method)
    {
        var item = Assert.Contains(path, document.Paths);
        return Assert.Contains(method, item.Operations!);
    }

    /// <summary>The route takes either an API key or a bearer token.</summary>
    private static void AssertCredentials(OpenApiOperation operation)
    {
        var alternatives = operation.Security!.SelectMany(requirement => requirement.Keys).Select(scheme => scheme.Reference.Id).ToList();
        Assert.Equal(["ApiKey", "Bearer"], alternatives);
    }
}
