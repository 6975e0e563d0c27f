using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Tests.Contracts;

/// <summary>Topic names (docs/contract.md, Topics): three families, ids of 1 to 128 characters of [A-Za-z0-9_.-].</summary>
public sealed class TopicTests
{
    public static TheoryData<string, TopicFamily, string> GoodTopics => new()
    {
        { "merchant:shop-1", TopicFamily.Merchant, "shop-1" },
        { "bom:42", TopicFamily.Bom, "42" },
        { "batch:B_7.x-2", TopicFamily.Batch, "B_7.x-2" },
        { "bom:" + new string('a', 128), TopicFamily.Bom, new string('a', 128) },
        { "batch:x", TopicFamily.Batch, "x" },
    };

    public static TheoryData<string, string> BadTopics => new()
    {
        { string.Empty, "empty" },
        { "bom:", "the id is empty" },
        { "bom:" + new string('a', 129), "129 characters" },
        { "bom:a:b", "':' at position 1" },
        { "bom:a*", "'*' at position 1" },
        { "merchant:*", "'*' at position 0" },
        { "batch:a b", "U+0020 at position 1" },
        { "batch:a\u0007b", "U+0007 at position 1" },
        { "batch:a\nb", "U+000A at position 1" },
        { "order:1", "family 'order' is unknown" },
        { "Bom:1", "family 'Bom' is unknown" },
        { "12345", "no family prefix" },
        { ":1", "family '' is unknown" },
    };

    [Theory]
    [MemberData(nameof(GoodTopics))]
    public void A_well_formed_topic_of_each_family_parses_and_prints_back_unchanged(string text, TopicFamily family, string id)
    {
        Assert.True(Topic.TryParse(text, out var topic, out var error), error);

        Assert.Equal(family, topic.Family);
        Assert.Equal(id, topic.Id);
        Assert.Equal(text, topic.ToString());
        Assert.Equal(topic, Topic.Parse(text));
    }

    [Theory]
    [MemberData(nameof(BadTopics))]
    public void A_malformed_topic_is_rejected_with_an_error_naming_the_bad_part(string text, string namedPart)
    {
        Assert.False(Topic.TryParse(text, out _, out var error));

        Assert.Contains(namedPart, error, StringComparison.Ordinal);
        Assert.DoesNotContain(error, char.IsControl);
        Assert.Equal(error, Assert.Throws<FormatException>(() => Topic.Parse(text)).Message);
    }

    [Fact]
    public void A_null_topic_is_rejected_as_empty()
    {
        Assert.False(Topic.TryParse(null, out _, out var error));
        Assert.Contains("empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_family_builders_make_the_same_topics_the_parser_reads()
    {
        Assert.Equal(Topic.Parse("merchant:m1"), Topic.Merchant("m1"));
        Assert.Equal(Topic.Parse("bom:b1"), Topic.Bom("b1"));
        Assert.Equal(Topic.Parse("batch:x1"), Topic.Batch("x1"));
        Assert.Throws<FormatException>(() => Topic.Bom("a:b"));
    }
}
