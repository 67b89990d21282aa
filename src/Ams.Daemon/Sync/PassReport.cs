using Aar.Protocol.Management;

namespace Ams.Daemon.Sync;

/// <summary>Collects what one pass did; thread-safe because transfers report from their own tasks.</summary>
internal sealed class PassReport(long number, string mode, DateTimeOffset startedAt)
{
    private readonly Lock _lock = new();
    private readonly List<string> _errors = [];
    private readonly List<string> _conflicts = [];
    private int _uploaded;
    private int _downloaded;
    private int _deleted;
    private int _unchanged;
    private int _rejected;
    private long _uploadedBytes;
    private long _downloadedBytes;
    private long _uploadSent;
    private long _uploadSaved;

    public long Number => number;

    public bool NotModified { get; set; }

    public bool HasErrors
    {
        get
        {
            lock (_lock)
            {
                return _errors.Count > 0;
            }
        }
    }

    /// <summary>Pulled versions refused (invalid or too large); each is also reported as an error.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    /// <summary>Package bytes of the completed uploads and downloads.</summary>
    public long UploadedBytes => Interlocked.Read(ref _uploadedBytes);

    public long DownloadedBytes => Interlocked.Read(ref _downloadedBytes);

    public void Uploaded(long bytes)
    {
        Interlocked.Increment(ref _uploaded);
        Interlocked.Add(ref _uploadedBytes, bytes);
    }

    /// <summary>Package bytes uploads sent, and those they did not send because the registry held them (delta uploads).</summary>
    public long UploadSentBytes => Interlocked.Read(ref _uploadSent);

    public long UploadSavedBytes => Interlocked.Read(ref _uploadSaved);

    /// <summary>An upload's cost on the wire, counted whether or not its version was then created.</summary>
    public void UploadTraffic(long sent, long saved)
    {
        Interlocked.Add(ref _uploadSent, sent);
        Interlocked.Add(ref _uploadSaved, saved);
    }

    public void Downloaded(long bytes)
    {
        Interlocked.Increment(ref _downloaded);
        Interlocked.Add(ref _downloadedBytes, bytes);
    }

    public void Reject() => Interlocked.Increment(ref _rejected);

    public void Deleted() => Interlocked.Increment(ref _deleted);

    public void Unchanged() => Interlocked.Increment(ref _unchanged);

    public void Error(string sentence)
    {
        lock (_lock)
        {
            _errors.Add(sentence);
        }
    }

    public void Conflict(string sentence)
    {
        lock (_lock)
        {
            _conflicts.Add(sentence);
        }
    }

    public SyncPassReport Finish(DateTimeOffset finishedAt)
    {
        lock (_lock)
        {
            var result = _errors.Count == 0 && _conflicts.Count == 0
                ? (NotModified ? PassResult.Unchanged : PassResult.Ok)
                : (_uploaded + _downloaded + _deleted + _unchanged > 0 ? PassResult.Partial : PassResult.Failed);
            return new SyncPassReport
            {
                Number = number,
                Mode = mode,
                StartedAt = startedAt,
                FinishedAt = finishedAt,
                Result = (_conflicts.Count > 0 && _errors.Count == 0 ? PassResult.Partial : result).ToWire(),
                Uploaded = _uploaded,
                Downloaded = _downloaded,
                Deleted = _deleted,
                Unchanged = _unchanged,
                UploadSentBytes = _uploaded > 0 || _uploadSent > 0 ? _uploadSent : null,
                UploadSavedBytes = _uploaded > 0 || _uploadSent > 0 ? _uploadSaved : null,
                Errors = [.. _errors],
                Conflicts = [.. _conflicts],
            };
        }
    }
}
