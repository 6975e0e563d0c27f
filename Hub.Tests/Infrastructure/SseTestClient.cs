using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Threading.Channels;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// An SSE request read by the real parser (<see cref="SseParser"/>). Events arrive on a channel;
/// <see cref="Ended"/> completes when the server closes the stream.
/// </summary>
public sealed class SseTestClient : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<SseItem<string>> _events = Channel.CreateUnbounded<SseItem<string>>();
    private int _disposed;

    private SseTestClient(HttpResponseMessage response) => Response = response;

    public HttpResponseMessage Response { get; }

    public HttpStatusCode Status => Response.StatusCode;

    /// <summary>Completes when the server ends the stream (or the read fails).</summary>
    public Task Ended { get; private set; } = Task.CompletedTask;

    /// <summary>The <c>retry:</c> the stream announced, once read.</summary>
    public TimeSpan? Retry { get; private set; }

    /// <summary>Opens <paramref name="path"/> on <paramref name="node"/>, optionally resuming from <paramref name="lastEventId"/>.</summary>
    public static async Task<SseTestClient> OpenAsync(HubNode node, string path, string? lastEventId = null, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node.BaseAddress, path));
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var client = new SseTestClient(response);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            client.Ended = client.ReadAsync();
        }

        return client;
    }

    /// <summary>The event id in a frame's <c>id:</c>, which on <c>/api/sse</c> is a cursor (<c>topic=id</c>).</summary>
    public static string EventIdOf(SseItem<string> frame) => frame.EventId![(frame.EventId!.LastIndexOf('=') + 1)..];

    /// <summary>The next event, or a failure after the timeout.</summary>
    public Task<SseItem<string>> NextAsync(TimeSpan? timeout = null) =>
        Eventually.WithinAsync(_events.Reader.ReadAsync().AsTask(), "the next SSE event", timeout);

    /// <summary>The next <paramref name="count"/> events.</summary>
    public async Task<List<SseItem<string>>> TakeAsync(int count)
    {
        var items = new List<SseItem<string>>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(await NextAsync());
        }

        return items;
    }

    /// <summary>Every event received so far and not yet taken.</summary>
    public List<SseItem<string>> Drain()
    {
        var items = new List<SseItem<string>>();
        while (_events.Reader.TryRead(out var item))
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>Waits until the server closes the stream.</summary>
    public Task WaitForEndAsync() => Eventually.WithinAsync(Ended.ContinueWith(_ => true, TaskScheduler.Default), "the server to end the stream");

    /// <summary>
    /// Reads the body as raw text (for checking exact frames) until the server closes it, <paramref name="until"/>
    /// has passed, or the text read so far satisfies <paramref name="enough"/>.
    /// </summary>
    public static async Task<string> ReadRawAsync(
        HubNode node, string path, TimeSpan until, string? lastEventId = null, Func<string, bool>? enough = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node.BaseAddress, path));
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        using var stop = new CancellationTokenSource(until);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(stop.Token);
            int read;
            while ((read = await body.ReadAsync(buffer, stop.Token)) > 0)
            {
                text.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (enough?.Invoke(text.ToString()) == true)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Read for as long as asked.
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        Response.Dispose();
        await Ended.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var body = await Response.Content.ReadAsStreamAsync(_stop.Token);
            var parser = SseParser.Create(body);
            await foreach (var item in parser.EnumerateAsync(_stop.Token))
            {
                Retry ??= parser.ReconnectionInterval;
                await _events.Writer.WriteAsync(item, _stop.Token);
            }
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }
}
