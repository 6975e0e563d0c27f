using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Serialization;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.BadInput;

/// <summary>Sends requests exactly as given (raw headers, raw bodies, raw paths) to a node.</summary>
public static class Wire
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Sends a request; an SSE answer is not read beyond its headers.</summary>
    public static async Task<HttpResponseMessage> SendAsync(
        HubNode node, HttpMethod method, string path, HttpContent? content = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(node.BaseAddress, path)) { Content = content };
        configure?.Invoke(request);
        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>Opens an SSE route as EventSource would, adding what <paramref name="configure"/> adds.</summary>
    public static Task<HttpResponseMessage> StreamAsync(HubNode node, string path, Action<HttpRequestMessage>? configure = null) =>
        SendAsync(node, HttpMethod.Get, path, null, request =>
        {
            request.Headers.Accept.ParseAdd("text/event-stream");
            configure?.Invoke(request);
        });

    /// <summary>Opens an SSE route with the API key (an admin), so only the bad part can be refused.</summary>
    public static Task<HttpResponseMessage> StreamAsAdminAsync(HubNode node, string path, Action<HttpRequestMessage>? configure = null) =>
        StreamAsync(node, path, request =>
        {
            request.Headers.Add("X-Api-Key", TestTokens.ApiKey);
            configure?.Invoke(request);
        });

    /// <summary>POSTs <paramref name="body"/> verbatim as JSON with the API key.</summary>
    public static Task<HttpResponseMessage> PostAsAdminAsync(HubNode node, string path, string body, string contentType = "application/json") =>
        PostAsAdminAsync(node, path, new ByteArrayContent(Encoding.UTF8.GetBytes(body)), contentType);

    /// <summary>POSTs <paramref name="content"/> with the API key and, unless null, <paramref name="contentType"/>.</summary>
    public static Task<HttpResponseMessage> PostAsAdminAsync(HubNode node, string path, HttpContent content, string? contentType = "application/json")
    {
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return SendAsync(node, HttpMethod.Post, path, content, request => request.Headers.Add("X-Api-Key", TestTokens.ApiKey));
    }

    /// <summary>
    /// Asserts <paramref name="response"/> is a problem of <paramref name="status"/>, checking the status
    /// before reading the body: a stream wrongly opened with 200 would never end.
    /// </summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}.");
        return await ProblemAssert.IsProblemAsync(response, status);
    }

    /// <summary>The single-event publishing route of <paramref name="topic"/>.</summary>
    public static string EventsPath(string topic) => $"/api/topics/{Uri.EscapeDataString(topic)}/events";

    /// <summary>A JSON body of one event.</summary>
    public static string Event(string type, object data) => JsonSerializer.Serialize(new { type, data });

    /// <summary>Starts a real SignalR client presenting <paramref name="credential"/> and <paramref name="headers"/>.</summary>
    public static async Task<HubConnection> ConnectAsync(
        HubNode node, Credential credential, IDictionary<string, string>? headers = null, HubProtocol protocol = HubProtocol.Json)
    {
        var url = new Uri(node.BaseAddress, credential.Apply(HubRoutes.ProgressHub));
        var builder = new HubConnectionBuilder();
        if (protocol == HubProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol(options => options.SerializerOptions = HubMessagePack.Options);
        }

        var connection = builder.WithUrl(url, options =>
        {
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                options.Headers[name] = value;
            }

            if (credential.Authorization is not null)
            {
                options.Headers["Authorization"] = credential.Authorization;
            }

            if (credential.ApiKey is not null)
            {
                options.Headers["X-Api-Key"] = credential.ApiKey;
            }
        }).Build();
        try
        {
            await connection.StartAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

/// <summary>JSON sent to the hub exactly as written, even when no well-behaved serializer would write it.</summary>
[JsonConverter(typeof(RawJsonConverter))]
public sealed record RawJson(string Json);

/// <summary>Writes a <see cref="RawJson"/> unchecked; the hub is the one that must cope.</summary>
public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Raw JSON is only ever sent.");

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Json, skipInputValidation: true);
}
