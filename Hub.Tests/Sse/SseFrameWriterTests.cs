using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text;
using RealtimeHub.Server.Sse;

namespace RealtimeHub.Tests.Sse;

public sealed class SseFrameWriterTests
{
    [Fact]
    public void Data_with_line_breaks_becomes_several_data_lines()
    {
        var output = new ArrayBufferWriter<byte>();
        SseFrameWriter.Event(output, "1-0", "progress", "one\ntwo\r\nthree\rfour"u8);
        Assert.Equal("id: 1-0\nevent: progress\ndata: one\ndata: two\ndata: three\ndata: four\n\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData("1-0\n", null)]
    [InlineData("1-0\r", null)]
    [InlineData("1\0-0", null)]
    [InlineData("1-0", "progress\nevent: forged")]
    public void An_id_or_event_name_with_a_line_break_is_refused(string id, string? name)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => SseFrameWriter.Event(output, id, name, "{}"u8));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Comments_and_retry_are_their_own_blocks()
    {
        var output = new ArrayBufferWriter<byte>();
        SseFrameWriter.Retry(output, TimeSpan.FromSeconds(3));
        SseFrameWriter.Comment(output, "keepalive");
        Assert.Equal("retry: 3000\n\n: keepalive\n\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public async Task A_frame_of_an_id_alone_sets_a_real_parsers_last_event_id_without_raising_an_event()
    {
        var output = new ArrayBufferWriter<byte>();
        SseFrameWriter.Retry(output, TimeSpan.FromSeconds(3));
        SseFrameWriter.Id(output, "batch:b=0-0");
        SseFrameWriter.Comment(output, "keepalive");

        var parser = SseParser.Create(new MemoryStream(output.WrittenSpan.ToArray()));
        var events = new List<SseItem<string>>();
        await foreach (var item in parser.EnumerateAsync())
        {
            events.Add(item);
        }

        Assert.Empty(events);
        Assert.Equal("batch:b=0-0", parser.LastEventId);
        Assert.Throws<ArgumentException>(() => SseFrameWriter.Id(new ArrayBufferWriter<byte>(), "0-0\ndata: forged"));
    }
}
