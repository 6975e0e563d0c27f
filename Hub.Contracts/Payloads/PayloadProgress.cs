namespace RealtimeHub.Contracts.Payloads;

/// <summary>
/// Where a product's payload keeps its progress, so the hub can fill a missing ETA from the observed
/// rate (docs/contract.md, Events). Paths are JSON property names from the data's root, dotted for a
/// nested object, for example <c>state.percent_complete</c>.
/// </summary>
/// <param name="Percent">The path of the progress percentage; an event without it is not tracked.</param>
/// <param name="Eta">The path of the seconds-left field the hub fills when the publisher leaves it out.</param>
/// <param name="EtaEventType">The event type that gets an ETA, unless the event ends its job's stream.</param>
/// <param name="Job">
/// The identity of the job whose rate is measured: one part per entry, each the first of its fields given
/// as text (or empty), the parts joined with <c>|</c>.
/// </param>
public sealed record PayloadProgress(string Percent, string Eta, string EtaEventType, IReadOnlyList<IReadOnlyList<string>> Job);
