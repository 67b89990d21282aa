using Aar.Protocol.Chunking;

namespace Ams.Daemon.Storage;

/// <summary>
/// An upload that arrived completely and was fsync-ed, not yet validated or visible: <c>packages/staging/…</c>.
/// <see cref="Index"/> is the package's chunk index when it was computed while the bytes streamed in; it is kept
/// beside the package at commit.
/// </summary>
internal sealed record StagedPackage(string Path, string Sha256, long Size, ChunkIndex? Index = null);
