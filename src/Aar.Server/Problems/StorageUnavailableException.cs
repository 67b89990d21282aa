namespace Aar.Server.Problems;

/// <summary>
/// The blob store could not be reached or refused to work (S3 down, timing out, denying access). Requests that
/// meet it answer 503 <c>storage-unavailable</c>; nothing half-done becomes visible, and an upload session keeps
/// the offset of its durable bytes, so the client resumes once the store is back.
/// </summary>
internal sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
