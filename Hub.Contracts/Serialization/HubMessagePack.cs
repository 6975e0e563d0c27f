using MessagePack;
using MessagePack.Resolvers;

namespace RealtimeHub.Contracts.Serialization;

/// <summary>
/// The MessagePack options every RealtimeHub party uses: the contracts' string-keyed attributes,
/// event data as native MessagePack values, and untrusted-data limits.
/// </summary>
public static class HubMessagePack
{
    /// <summary>The resolver chain: JSON data as native values, then the attributed contracts.</summary>
    public static readonly IFormatterResolver Resolver = CompositeResolver.Create(
        [JsonElementFormatter.Instance],
        [StandardResolver.Instance]);

    /// <summary>Options for hub protocols and round trips; data from the wire is treated as untrusted.</summary>
    public static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
        .WithResolver(Resolver)
        .WithSecurity(MessagePackSecurity.UntrustedData);
}
