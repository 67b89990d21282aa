namespace Aar.Protocol.Chunking;

/// <summary>A chunk index that cannot be accepted; the message is one sentence saying why.</summary>
public sealed class ChunkIndexFormatException : FormatException
{
    public ChunkIndexFormatException(string message)
        : base(message)
    {
    }

    public ChunkIndexFormatException()
    {
    }

    public ChunkIndexFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
