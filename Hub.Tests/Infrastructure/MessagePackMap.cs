using MessagePack;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>Reads the top level of serialized MessagePack the way a JavaScript client would see it.</summary>
public static class MessagePackMap
{
    /// <summary>
    /// The top-level map's entries, each key as a string and each value as its MessagePack type;
    /// fails the test if the top level is not a map or a key is not a string.
    /// </summary>
    public static IReadOnlyDictionary<string, MessagePackType> Entries(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        Assert.Equal(MessagePackType.Map, reader.NextMessagePackType);
        var count = reader.ReadMapHeader();
        var entries = new Dictionary<string, MessagePackType>(count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(MessagePackType.String, reader.NextMessagePackType);
            var key = reader.ReadString()!;
            entries[key] = reader.NextMessagePackType;
            reader.Skip();
        }

        return entries;
    }
}
