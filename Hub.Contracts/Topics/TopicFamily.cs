namespace RealtimeHub.Contracts.Topics;

/// <summary>The three kinds of topic the hub carries, one per product.</summary>
public enum TopicFamily
{
    /// <summary>PO sync workflows of one merchant: <c>merchant:{merchantId}</c>.</summary>
    Merchant,

    /// <summary>Enrichment of one bill of materials: <c>bom:{bomId}</c>.</summary>
    Bom,

    /// <summary>One OMR batch: <c>batch:{batchId}</c>.</summary>
    Batch,
}
