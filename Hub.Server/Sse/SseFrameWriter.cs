using System.Buffers;
using System.Globalization;
using System.Text;

namespace RealtimeHub.Server.Sse;

/// <summary>
/// Writes Server-Sent Events fields. An id or event name can never carry CR, LF or NUL (they would
/// end the field early or make browsers ignore the id), and data is split at line breaks into several
/// <c>data:</c> lines, so nothing an event carries can break a frame.
/// </summary>
internal static class SseFrameWriter
{
    private static readonly SearchValues<byte> LineBreaks = SearchValues.Create("\r\n"u8);

    public static void Retry(IBufferWriter<byte> output, TimeSpan retry) =>
        Utf8(output, string.Create(CultureInfo.InvariantCulture, $"retry: {(long)retry.TotalMilliseconds}\n\n"));

    /// <summary>
    /// A frame of an <c>id:</c> line alone: EventSource takes it as its last event id without raising an
    /// event, and sends it back as <c>Last-Event-ID</c> when it reconnects.
    /// </summary>
    public static void Id(IBufferWriter<byte> output, string id)
    {
        EnsureSingleLine(id, "id");
        Utf8(output, $"id: {id}\n\n");
    }

    public static void Comment(IBufferWriter<byte> output, string text)
    {
        EnsureSingleLine(text, "comment");
        Utf8(output, $": {text}\n\n");
    }

    /// <summary>One event: optional <c>id:</c> and <c>event:</c> lines, the data lines, a blank line.</summary>
    public static void Event(IBufferWriter<byte> output, string? id, string? name, ReadOnlySpan<byte> data)
    {
        // Both are checked before anything is written, so a refused event leaves no partial frame.
        EnsureSingleLine(id, "id");
        EnsureSingleLine(name, "event name");
        if (id is not null)
        {
            Utf8(output, "id: ");
            Utf8(output, id);
            Utf8(output, "\n");
        }

        if (name is not null)
        {
            Utf8(output, "event: ");
            Utf8(output, name);
            Utf8(output, "\n");
        }

        while (true)
        {
            var end = data.IndexOfAny(LineBreaks);
            Utf8(output, "data: ");
            output.Write(end < 0 ? data : data[..end]);
            Utf8(output, "\n");
            if (end < 0)
            {
                break;
            }

            // CRLF counts as one break.
            var next = end + 1 < data.Length && data[end] == '\r' && data[end + 1] == '\n' ? end + 2 : end + 1;
            data = data[next..];
        }

        Utf8(output, "\n");
    }

    private static void EnsureSingleLine(string? value, string what)
    {
        if (value is not null && value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw new ArgumentException($"An SSE {what} cannot contain CR, LF or NUL.", nameof(value));
        }
    }

    private static void Utf8(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
