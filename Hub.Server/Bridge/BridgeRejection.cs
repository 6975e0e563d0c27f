namespace RealtimeHub.Server.Bridge;

/// <summary>Why the bridge refused a message; each kind is counted and logged once per node.</summary>
internal enum BridgeRejection
{
    /// <summary>The channel matched a bridge pattern but is not one of the products' channel shapes.</summary>
    UnknownChannel,

    /// <summary>The payload is larger than <c>Publishing:MaxEventBytes</c>; it was not parsed.</summary>
    TooLarge,

    /// <summary>The payload is not JSON.</summary>
    NotJson,

    /// <summary>The publishing path refused the event: a wrong type, a value out of range, an unknown event type.</summary>
    Invalid,
}

/// <summary>The metric tag of each <see cref="BridgeRejection"/>.</summary>
internal static class BridgeRejectionTags
{
    /// <summary>The value of the <c>reason</c> tag on <c>realtimehub.bridge.rejected</c>.</summary>
    public static string Tag(this BridgeRejection rejection) => rejection switch
    {
        BridgeRejection.UnknownChannel => "unknown_channel",
        BridgeRejection.TooLarge => "too_large",
        BridgeRejection.NotJson => "not_json",
        _ => "invalid",
    };
}
