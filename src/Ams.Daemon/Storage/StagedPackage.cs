namespace Ams.Daemon.Storage;

/// <summary>An upload that arrived completely and was fsync-ed, not yet validated or visible: <c>packages/staging/…</c>.</summary>
internal sealed record StagedPackage(string Path, string Sha256, long Size);
