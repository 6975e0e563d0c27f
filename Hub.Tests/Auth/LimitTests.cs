using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Auth;

/// <summary>Per-organisation rate limits (429 with Retry-After), connections per user and topics per connection.</summary>
public sealed class LimitTests : IAsyncLifetime
{
    // Enough requests to empty the bucket even if a slow machine lets a token or two refill meanwhile.
    private const int Tries = 20;

    private HubNode _node = null!;

    public async Task InitializeAsync()
    {
        var settings = TestTokens.AuthSettings();
        settings["Limits:PublishPerSecond"] = "1";
        settings["Limits:PublishBurst"] = "3";
        settings["Limits:ConnectionsPerSecond"] = "1";
        settings["Limits:ConnectionsBurst"] = "3";
        settings["Limits:MaxConnectionsPerUser"] = "2";
        settings["Limits:MaxTopicsPerConnection"] = "2";
        _node = await HubNode.StartAsync(null, settings);
    }

    public Task DisposeAsync() => _node.DisposeAsync().AsTask();

    /// <summary>
    /// Checks that <paramref name="admitted"/> requests before the first 429 are the burst of 3 plus at most
    /// the one token a second that refilled while they ran: a slow machine may see a refill, never more.
    /// </summary>
    private static void AssertWithinBucket(int admitted, TimeSpan elapsed)
    {
        var refilled = (int)Math.Ceiling(elapsed.TotalSeconds);
        Assert.True(admitted >= 3 && admitted <= 3 + refilled, $"{admitted} admitted in {elapsed} before the first 429; the burst is 3, refilled by 1 a second.");
    }

    [Fact]
    public async Task An_organisation_over_its_publish_rate_gets_429_with_retry_after_and_others_do_not()
    {
        var busy = TestTokens.Create("worker-a", organization: "org-busy", roles: ["publisher"]);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        var elapsed = Stopwatch.StartNew();
        for (var i = 0; i < Tries && limited is null; i++)
        {
            var response = await Caller.PublishAsync(_node, busy, $"batch:{Unique.Id()}", EventTypes.BatchProgress, SampleData.BatchProgress(i));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            await ProblemAssert.IsProblemAsync(limited, HttpStatusCode.TooManyRequests);
            Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 without a Retry-After");
        }

        Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.Accepted, s));
        AssertWithinBucket(statuses.Count - 1, elapsed.Elapsed);
        using var other = await Caller.PublishAsync(_node, TestTokens.Create("worker-b", organization: "org-calm", roles: ["publisher"]), $"batch:{Unique.Id()}", EventTypes.BatchProgress, SampleData.BatchProgress(1));
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
    }

    [Fact]
    public async Task An_organisation_opening_connections_too_fast_gets_429()
    {
        var streams = new List<SseTestClient>();
        var elapsed = Stopwatch.StartNew();
        try
        {
            await OpenUntilRefusedAsync(streams, async i =>
            {
                var stream = await Caller.StreamAsync(_node, $"/api/batches/{Unique.Id()}/stream", TestTokens.Create($"viewer-{i}", organization: "org-stormy", topics: ["*"]));
                return (stream, stream.Status == HttpStatusCode.TooManyRequests);
            });

            Assert.Equal(HttpStatusCode.TooManyRequests, streams[^1].Status);
            Assert.NotNull(streams[^1].Response.Headers.RetryAfter);
            Assert.All(streams.SkipLast(1), stream => Assert.Equal(HttpStatusCode.OK, stream.Status));
            AssertWithinBucket(streams.Count - 1, elapsed.Elapsed);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_organisation_opening_WebSockets_without_negotiating_too_fast_gets_429_at_the_upgrade()
    {
        var sockets = new List<ClientWebSocket>();
        var elapsed = Stopwatch.StartNew();
        try
        {
            await OpenUntilRefusedAsync(sockets, async i =>
            {
                var token = TestTokens.Create($"socket-{i}", organization: "org-sockets", topics: ["*"]);
                var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
                try
                {
                    await socket.ConnectAsync(new Uri($"ws://{_node.BaseAddress.Authority}{HubRoutes.ProgressHub}?access_token={Uri.EscapeDataString(token)}"), CancellationToken.None);
                    return (socket, false);
                }
                catch (WebSocketException)
                {
                    return (socket, true);
                }
            });

            Assert.Equal(HttpStatusCode.TooManyRequests, sockets[^1].HttpStatusCode);
            Assert.True(sockets[^1].HttpResponseHeaders?.ContainsKey("Retry-After"), "a Retry-After header");
            Assert.All(sockets.SkipLast(1), socket => Assert.Equal(WebSocketState.Open, socket.State));
            AssertWithinBucket(sockets.Count - 1, elapsed.Elapsed);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_user_past_the_connection_limit_is_refused_until_one_closes()
    {
        var token = TestTokens.Create("heavy-user", topics: ["*"]);
        await using var first = await Caller.StreamAsync(_node, $"/api/batches/{Unique.Id()}/stream", token);
        await using var second = await Caller.HubAsync(_node, token);
        Assert.Equal(HttpStatusCode.OK, first.Status);

        // A call runs only after OnConnectedAsync, which is where the hub connection takes its slot.
        await second.InvokeAsync<EventEnvelope[]>("Subscribe", $"batch:{Unique.Id()}", null);

        await using (var third = await Caller.StreamAsync(_node, $"/api/batches/{Unique.Id()}/stream", token))
        {
            await ProblemAssert.IsProblemAsync(third.Response, HttpStatusCode.TooManyRequests);
        }

        await first.DisposeAsync();
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (true)
        {
            await using var again = await Caller.StreamAsync(_node, $"/api/batches/{Unique.Id()}/stream", token);
            if (again.Status == HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "No slot freed up after a connection closed.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_hub_connection_past_the_limit_is_closed_with_the_reason_and_frees_no_other_slot()
    {
        // One user (the quota counts per user), each connection in an organisation of its own (the connect rate
        // limit counts per organisation, 3 at once here), so only the quota can refuse.
        var organisations = 0;
        string Token() => TestTokens.Create("hub-user", organization: $"org-quota-{++organisations}", topics: ["*"]);
        await using var first = await Caller.HubAsync(_node, Token(), negotiate: false);
        await using var second = await Caller.HubAsync(_node, Token(), negotiate: false);

        // A call runs only after OnConnectedAsync, which is where a hub connection takes its slot.
        await first.InvokeAsync<EventEnvelope[]>("Subscribe", $"batch:{Unique.Id()}", null);
        await second.InvokeAsync<EventEnvelope[]>("Subscribe", $"batch:{Unique.Id()}", null);

        // Refused twice over: the first refused connection, closing, gave back neither open connection's slot.
        Assert.Contains("already holds 2 connections", await ClosedOnConnectAsync(Token()), StringComparison.Ordinal);
        Assert.Contains("already holds 2 connections", await ClosedOnConnectAsync(Token()), StringComparison.Ordinal);

        // One closing frees its slot.
        await first.DisposeAsync();
        await Eventually.HoldsAsync(
            async () =>
            {
                await using var again = await Caller.HubAsync(_node, Token(), negotiate: false);
                try
                {
                    await again.InvokeAsync<EventEnvelope[]>("Subscribe", $"batch:{Unique.Id()}", null);
                    return true;
                }
                catch (Exception ex) when (ex is HubException or InvalidOperationException or TaskCanceledException)
                {
                    // Refused (closed before or during the call): the slot is not free yet.
                    return false;
                }
            },
            "a new connection to get the closed one's slot");
    }

    [Fact]
    public async Task A_connection_may_follow_only_so_many_topics()
    {
        await using var hub = await Caller.HubAsync(_node, TestTokens.Create("collector", topics: ["*"]));
        await hub.InvokeAsync<EventEnvelope[]>("Subscribe", "batch:one", null);
        await hub.InvokeAsync<EventEnvelope[]>("Subscribe", "batch:two", null);
        await hub.InvokeAsync<EventEnvelope[]>("Subscribe", "batch:two", null);
        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<EventEnvelope[]>("Subscribe", "batch:three", null));
        Assert.Contains("the most allowed", refused.Message, StringComparison.Ordinal);

        await hub.InvokeAsync("Unsubscribe", "batch:one");
        await hub.InvokeAsync<EventEnvelope[]>("Subscribe", "batch:three", null);

        using var response = await _node.Http.GetAsync($"/api/sse?topic=batch:a&topic=batch:b&topic=batch:c&access_token={TestTokens.Create("collector", topics: ["*"])}");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    /// <summary>
    /// Opens connections one after another into <paramref name="opened"/> (which the caller disposes) until one is
    /// refused, or <see cref="Tries"/> are open.
    /// </summary>
    private static async Task OpenUntilRefusedAsync<T>(List<T> opened, Func<int, Task<(T Connection, bool Refused)>> open)
    {
        for (var i = 0; i < Tries; i++)
        {
            var (connection, refused) = await open(i);
            opened.Add(connection);
            if (refused)
            {
                return;
            }
        }
    }

    /// <summary>Opens a hub connection the hub refuses in OnConnectedAsync; returns the reason it closed with.</summary>
    private async Task<string> ClosedOnConnectAsync(string token)
    {
        await using var connection = _node.CreateConnection(
            configure: builder => builder.Services.Configure<HttpConnectionOptions>(options => options.AccessTokenProvider = () => Task.FromResult<string?>(token)),
            negotiate: false);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };
        await connection.StartAsync();
        var error = await Eventually.WithinAsync(closed.Task, "the refused connection to close");
        return error?.Message ?? "(closed without an error)";
    }
}
