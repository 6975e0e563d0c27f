using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Auth;

/// <summary>A node with auth on (HS256 key and an API key), on the embedded default, shared by a collection.</summary>
public sealed class AuthNode : IAsyncLifetime
{
    public HubNode Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await HubNode.StartAsync(null, TestTokens.AuthSettings());

    public Task DisposeAsync() => Node.DisposeAsync().AsTask();
}

[CollectionDefinition(Name)]
public sealed class AuthNodeDefinition : ICollectionFixture<AuthNode>
{
    public const string Name = "A node with auth on";
}

/// <summary>Calls a node as a given caller: a bearer token, an API key, or nobody.</summary>
public static class Caller
{
    public static async Task<HttpResponseMessage> PublishAsync(HubNode node, string? token, string topic, string type, object data, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/topics/{Uri.EscapeDataString(topic)}/events")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { type, data }), Encoding.UTF8, "application/json"),
        };
        Authorize(request, token, apiKey);
        return await node.Http.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> PublishBatchAsync(HubNode node, string? token, object items)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
        {
            Content = new StringContent(JsonSerializer.Serialize(items), Encoding.UTF8, "application/json"),
        };
        Authorize(request, token, null);
        return await node.Http.SendAsync(request);
    }

    /// <summary>Opens an SSE route with the token in the query, as EventSource clients must.</summary>
    public static Task<SseTestClient> StreamAsync(HubNode node, string path, string? token, string parameter = "access_token") =>
        SseTestClient.OpenAsync(node, token is null ? path : $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{parameter}={Uri.EscapeDataString(token)}");

    /// <summary>A started hub connection presenting <paramref name="token"/>; without negotiating, a WebSocket of the hub's own transport.</summary>
    public static async Task<HubConnection> HubAsync(HubNode node, string? token, bool negotiate = true)
    {
        var connection = node.CreateConnection(
            configure: builder => builder.Services.Configure<HttpConnectionOptions>(options => options.AccessTokenProvider = () => Task.FromResult(token)),
            negotiate: negotiate);
        await connection.StartAsync();
        return connection;
    }

    private static void Authorize(HttpRequestMessage request, string? token, string? apiKey)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Api-Key", apiKey);
        }
    }
}
