namespace RealtimeHub.Contracts.Payloads;

/// <summary>What a payload field holds, and so which values the hub accepts for it (docs/contract.md, Events).</summary>
public enum PayloadFieldKind
{
    /// <summary>A string.</summary>
    Text,

    /// <summary>A finite number from 0 to 100.</summary>
    Percent,

    /// <summary>A whole number, not negative.</summary>
    Count,

    /// <summary>A duration in seconds: a finite number, not negative.</summary>
    Seconds,

    /// <summary>A nested object whose own fields are described in turn.</summary>
    Nested,
}
