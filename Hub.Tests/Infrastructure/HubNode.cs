using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Serialization;
using RealtimeHub.Server.Hosting;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>Which SignalR protocol a test client speaks.</summary>
public enum HubProtocol
{
    Json,
    MessagePack,
}

/// <summary>
/// One hub node: the real server (the same <c>AddRealtimeHub</c>/<c>MapRealtimeHub</c> as Program.cs)
/// on real Kestrel at 127.0.0.1 with an OS-chosen port.
/// </summary>
public sealed class HubNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private HubNode(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a node; <paramref name="redis"/> null means the embedded default. <paramref name="services"/>
    /// runs after the hub's own registrations, to replace a true seam such as the clock.
    /// </summary>
    public static async Task<HubNode> StartAsync(
        string? redis, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Development",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());

        // Development turns the demo workloads on; a test sees only its own events unless it asks for them.
        values.TryAdd("Demo:Enabled", "false");
        if (redis is not null)
        {
            values["Redis:ConnectionString"] = redis;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.AddRealtimeHub();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapRealtimeHub();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A node that fails to start (a test of bad settings) must not leave its services behind.
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HubNode(app, new Uri(address));
    }

    /// <summary>
    /// A real SignalR client for this node, not yet started; <paramref name="configure"/> runs last. It
    /// negotiates (SignalR's HTTP connection layer) unless <paramref name="negotiate"/> is false: then it
    /// opens a WebSocket at once, which the hub's own WebSocket transport serves.
    /// </summary>
    public HubConnection CreateConnection(HubProtocol protocol = HubProtocol.Json, Action<IHubConnectionBuilder>? configure = null, bool negotiate = true)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(BaseAddress, HubRoutes.ProgressHub), options =>
        {
            if (!negotiate)
            {
                options.SkipNegotiation = true;
                options.Transports = HttpTransportType.WebSockets;
            }
        });
        if (protocol == HubProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol(options => options.SerializerOptions = HubMessagePack.Options);
        }

        configure?.Invoke(builder);
        return builder.Build();
    }

    /// <summary>POSTs one event; returns the raw response.</summary>
    public Task<HttpResponseMessage> PublishAsync(string topic, string type, object data, string? idempotencyKey = null) =>
        PostJsonAsync($"/api/topics/{Uri.EscapeDataString(topic)}/events", new { type, data, idempotencyKey });

    /// <summary>
    /// Publishes as a careful publisher does: on 503 it waits a moment and sends the same event with the
    /// same <paramref name="idempotencyKey"/> again, until the hub accepts it; returns the id.
    /// </summary>
    public async Task<string> PublishUntilAcceptedAsync(string topic, string type, object data, string idempotencyKey)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await PublishAsync(topic, type, data, idempotencyKey);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, $"Publishing {idempotencyKey} was refused for a minute.");
            await Task.Delay(50);
        }
    }

    /// <summary>POSTs any JSON body (or raw text when <paramref name="body"/> is a string).</summary>
    public Task<HttpResponseMessage> PostJsonAsync(string path, object body)
    {
        var json = body as string ?? JsonSerializer.Serialize(body);
        return Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
    }

    /// <summary>
    /// Stops the host, giving its services until <paramref name="within"/> has passed to finish; disposing
    /// afterwards does not stop it again.
    /// </summary>
    public async Task StopAsync(TimeSpan within)
    {
        _stopped = true;
        using var stopping = new CancellationTokenSource(within);
        await _app.StopAsync(stopping.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_stopped)
        {
            await StopAsync(TimeSpan.FromSeconds(5));
        }

        await _app.DisposeAsync();
    }
}
