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

    public void Uploaded() => Interlocked.Increment(ref _uploaded);

    public void Downloaded() => Interlocked.Increment(ref _downloaded);

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
                Errors = [.. _errors],
                Conflicts = [.. _conflicts],
            };
        }
    }
}
