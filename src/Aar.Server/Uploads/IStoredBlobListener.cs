using Aar.Protocol.Registry;

namespace Aar.Server.Uploads;

/// <summary>
/// Told when an upload session stored a new blob (not when its content was already there). Owned here so a feature
/// above (the delta uploads' chunk recorder) can learn of new blobs without this one knowing it. Must return at once.
/// </summary>
internal interface IStoredBlobListener
{
    void Stored(BlobDigest digest);
}
