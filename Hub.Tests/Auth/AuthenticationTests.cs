using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Auth;

/// <summary>401 for a missing, expired, unsigned or badly signed credential, on publishing, SSE and the hub.</summary>
[Collection(AuthNodeDefinition.Name)]
public sealed class AuthenticationTests(AuthNode fixture)
{
    private HubNode Node => fixture.Node;

    public static TheoryData<string, string?> BadTokens() => new()
    {
        { "missing", null },
        { "expired", TestTokens.Create("ann", roles: ["admin"], lifetime: TimeSpan.FromMinutes(-5)) },
        { "wrong key", TestTokens.Create("ann", roles: ["admin"], key: "another-signing-key-of-at-least-32-bytes-xyz") },
        { "alg none", TestTokens.WithoutSignature() },
        { "garbage", "not.a.token" },
        { "tampered", TestTokens.Create("ann", roles: ["reader"])[..^4] + "AAAA" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Publishing_without_a_valid_token_gets_401_and_stores_nothing(string why, string? token)
    {
        var batch = Unique.Id();
        using var response = await Caller.PublishAsync(Node, token, $"batch:{batch}", EventTypes.BatchProgress, SampleData.BatchProgress(5));
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: expected 401, got {(int)response.StatusCode}");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);

        // Everything the topic holds, read as admin: only the event published with the API key.
        using var admin = await Caller.PublishAsync(Node, null, $"batch:{batch}", EventTypes.BatchProgress, SampleData.BatchProgress(6), TestTokens.ApiKey);
        await using var stream = await Caller.StreamAsync(Node, $"/api/batches/{batch}/stream?lastEventId=0-1", TestTokens.Create("root", roles: ["admin"]));
        var only = await stream.NextAsync();
        Assert.Contains("\"progress_percentage\":6", only.Data, StringComparison.Ordinal);
        Assert.Empty(stream.Drain());
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task An_sse_stream_without_a_valid_token_gets_401(string why, string? token)
    {
        await using var stream = await Caller.StreamAsync(Node, $"/api/enrichment/stream/{Unique.Id()}", token, parameter: "token");
        Assert.True(stream.Status == HttpStatusCode.Unauthorized, $"{why}: expected 401, got {(int)stream.Status}");
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_hub_connection_without_a_valid_token_is_refused_with_401(string why, string? token)
    {
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => Caller.HubAsync(Node, token));
        Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{why}: expected 401, got {refused.StatusCode}");
    }

    [Fact]
    public async Task An_unknown_api_key_gets_401_and_a_configured_one_publishes_as_admin()
    {
        using var unknown = await Caller.PublishAsync(Node, null, $"bom:{Unique.Id()}", EventTypes.EnrichmentStarted, new { }, apiKey: "not-the-configured-key-123");
        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.Unauthorized);

        using var known = await Caller.PublishAsync(Node, null, $"bom:{Unique.Id()}", EventTypes.EnrichmentStarted, new { }, apiKey: TestTokens.ApiKey);
        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
    }

    [Fact]
    public async Task An_sse_stream_ends_when_its_token_expires()
    {
        foreach (var lifetime in ShortLifetimes)
        {
            var issued = DateTime.UtcNow;
            var token = TestTokens.Create("ann", topics: ["batch:*"], lifetime: lifetime);
            await using var stream = await Caller.StreamAsync(Node, $"/api/batches/{Unique.Id()}/stream", token);
            if (stream.Status != HttpStatusCode.OK && RanOut(issued, lifetime))
            {
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, stream.Status);
            await stream.WaitForEndAsync();
            return;
        }

        Assert.Fail("No stream could be opened before its token expired.");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_hub_connection_closes_when_its_token_expires(bool negotiate)
    {
        foreach (var lifetime in ShortLifetimes)
        {
            var issued = DateTime.UtcNow;
            var token = TestTokens.Create("ann", topics: ["batch:*"], lifetime: lifetime);
            HubConnection connection;
            try
            {
                connection = await Caller.HubAsync(Node, token, negotiate);
            }
            catch (Exception ex) when (ex is HttpRequestException or WebSocketException && RanOut(issued, lifetime))
            {
                continue;
            }

            await using (connection)
            {
                var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                connection.Closed += _ =>
                {
                    closed.TrySetResult();
                    return Task.CompletedTask;
                };

                try
                {
                    await connection.InvokeAsync<EventEnvelope[]>("Subscribe", $"batch:{Unique.Id()}", null);
                }
                catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or HubException && RanOut(issued, lifetime))
                {
                    continue;
                }

                await Eventually.WithinAsync(closed.Task.ContinueWith(_ => true, TaskScheduler.Default), "the hub connection to close at expiry");
                Assert.Equal(HubConnectionState.Disconnected, connection.State);
                return;
            }
        }

        Assert.Fail("No hub connection could subscribe before its token expired.");
    }

    /// <summary>
    /// Token lifetimes to try, shortest first: a loaded machine may take longer than a short one to connect,
    /// and a connection refused because its token ran out on the way is tried again with a longer one.
    /// </summary>
    private static readonly TimeSpan[] ShortLifetimes = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)];

    /// <summary>Whether a token issued at <paramref name="issued"/> may have expired by now (a refusal within its life is a failure).</summary>
    private static bool RanOut(DateTime issued, TimeSpan lifetime) => DateTime.UtcNow - issued >= lifetime;
}
