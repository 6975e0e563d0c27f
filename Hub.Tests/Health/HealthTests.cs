using System.Net;
using System.Text.Json;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Health;

/// <summary>The health routes (docs/contract.md, Health and metrics), on the embedded default and with Redis.</summary>
public abstract class HealthTests
{
    protected abstract HubNode Node { get; }

    /// <summary>What the enrichment service's health route reports for Redis on this backend.</summary>
    protected abstract string ExpectedRedis { get; }

    [Fact]
    public async Task Live_health_answers_200()
    {
        using var response = await Node.Http.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ready_health_answers_200_while_the_history_store_answers()
    {
        using var response = await Node.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Enrichment_health_answers_healthy_in_the_seed_003_shape()
    {
        using var response = await Node.Http.GetAsync(new Uri("/api/enrichment/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(
            [("status", "healthy"), ("redis", ExpectedRedis)],
            body.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetString())));
    }
}

[Collection(EmbeddedNodesDefinition.Name)]
public sealed class EmbeddedHealthTests(EmbeddedNodes nodes) : HealthTests
{
    protected override HubNode Node => nodes.Node;

    protected override string ExpectedRedis => "embedded";
}

[Collection(RedisClusterDefinition.Name)]
public sealed class RedisHealthTests(RedisCluster cluster) : HealthTests
{
    protected override HubNode Node => cluster.NodeA;

    protected override string ExpectedRedis => "connected";
}
