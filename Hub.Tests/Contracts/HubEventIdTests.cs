using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Tests.Contracts;

/// <summary>Event ids, <c>{milliseconds}-{sequence}</c>, parse strictly and order by time then sequence.</summary>
public sealed class HubEventIdTests
{
    [Theory]
    [InlineData("1732300000000-0", 1732300000000, 0)]
    [InlineData("1732300000000-17", 1732300000000, 17)]
    [InlineData("0-0", 0, 0)]
    [InlineData("9223372036854775807-9223372036854775807", long.MaxValue, long.MaxValue)]
    public void A_well_formed_id_parses_and_prints_back_unchanged(string text, long milliseconds, long sequence)
    {
        var id = HubEventId.Parse(text);

        Assert.Equal(new HubEventId(milliseconds, sequence), id);
        Assert.Equal(text, id.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1732300000000")]
    [InlineData("-1")]
    [InlineData("1-")]
    [InlineData("1-2-3")]
    [InlineData("+1-0")]
    [InlineData(" 1-0")]
    [InlineData("1-0 ")]
    [InlineData("1-0\0")]
    [InlineData("1\0-0")]
    [InlineData("١-٠")]
    [InlineData("1.5-0")]
    [InlineData("a-b")]
    [InlineData("99999999999999999999-0")]
    [InlineData("1-0\n")]
    public void A_malformed_id_is_rejected_with_an_error_that_shows_the_expected_form(string text)
    {
        Assert.False(HubEventId.TryParse(text, out _));

        var error = Assert.Throws<FormatException>(() => HubEventId.Parse(text));
        Assert.Contains("'<milliseconds>-<sequence>'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(error.Message, char.IsControl);
    }

    [Fact]
    public void A_null_id_is_rejected()
    {
        Assert.False(HubEventId.TryParse(null, out _));
        Assert.Throws<FormatException>(() => HubEventId.Parse(null));
    }

    [Fact]
    public void Ids_order_by_milliseconds_then_sequence_numerically_not_as_text()
    {
        string[] shuffled = ["10-0", "9-5", "9-10", "100-0", "9-9"];

        var ordered = shuffled.Select(HubEventId.Parse).Order().Select(id => id.ToString());

        Assert.Equal(["9-5", "9-9", "9-10", "10-0", "100-0"], ordered);
        Assert.True(HubEventId.Parse("9-10") > HubEventId.Parse("9-9"));
        Assert.True(HubEventId.Parse("9-0") < HubEventId.Parse("10-0"));
        Assert.True(HubEventId.Parse("7-1") <= HubEventId.Parse("7-1"));
        Assert.True(HubEventId.Parse("7-1") >= HubEventId.Parse("7-1"));
        Assert.Equal(0, HubEventId.Parse("7-1").CompareTo(new HubEventId(7, 1)));
    }
}
