using System.Reflection;
using System.Text.Json.Serialization;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Payloads;
using RealtimeHub.Contracts.Payloads.Batch;
using RealtimeHub.Contracts.Payloads.Bom;
using RealtimeHub.Contracts.Payloads.Merchant;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Tests.Contracts;

/// <summary>Each family's payload rules name fields its payload type has, with matching types, and point the progress at them.</summary>
public sealed class PayloadRulesTests
{
    public static TheoryData<TopicFamily, Type> Families => new()
    {
        { TopicFamily.Merchant, typeof(MerchantEventData) },
        { TopicFamily.Bom, typeof(BomEnrichmentEvent) },
        { TopicFamily.Batch, typeof(BatchProgressData) },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void Every_checked_field_is_a_property_of_the_payload_type_of_the_same_kind(TopicFamily family, Type payload) =>
        AssertFields(PayloadRules.For(family).Fields, payload);

    public static TheoryData<TopicFamily> AllFamilies => new(Enum.GetValues<TopicFamily>());

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public void The_progress_points_at_checked_fields_of_the_right_kind(TopicFamily family)
    {
        var rules = PayloadRules.For(family);
        Assert.Equal(PayloadFieldKind.Percent, At(rules, rules.Progress.Percent).Kind);
        Assert.Equal(PayloadFieldKind.Seconds, At(rules, rules.Progress.Eta).Kind);
        Assert.Contains(rules.Progress.EtaEventType, EventTypes.For(family));
        Assert.NotEmpty(rules.Progress.Job);
        Assert.All(rules.Progress.Job.SelectMany(part => part), field => Assert.Equal(PayloadFieldKind.Text, At(rules, field).Kind));
        if (rules.EventTypeField is { } typeField)
        {
            Assert.Equal(PayloadFieldKind.Text, At(rules, typeField).Kind);
        }
    }

    private static void AssertFields(IReadOnlyList<PayloadField> fields, Type type)
    {
        var properties = type.GetProperties()
            .Where(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is not null)
            .ToDictionary(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name, p => Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType);
        foreach (var field in fields)
        {
            Assert.True(properties.TryGetValue(field.Name, out var property), $"{type.Name} has no property '{field.Name}'.");
            var expected = field.Kind switch
            {
                PayloadFieldKind.Text => typeof(string),
                PayloadFieldKind.Count => typeof(long),
                PayloadFieldKind.Percent or PayloadFieldKind.Seconds => typeof(double),
                _ => property,
            };
            Assert.Equal(expected, property);
            if (field.Kind == PayloadFieldKind.Nested)
            {
                AssertFields(field.Fields, property);
            }
        }
    }

    private static PayloadField At(PayloadRules rules, string path)
    {
        var fields = rules.Fields;
        PayloadField? field = null;
        foreach (var name in path.Split('.'))
        {
            field = fields.SingleOrDefault(f => f.Name == name);
            Assert.True(field is not null, $"No checked field at '{path}'.");
            fields = field.Fields;
        }

        return field!;
    }
}
