namespace Ams.Daemon.Sync;

/// <summary>How a sync pass ended. Shown (<c>SyncPassReport.Result</c>, the log) by its lower-case name.</summary>
internal enum PassResult
{
    /// <summary>Everything the pass tried worked.</summary>
    Ok,

    /// <summary>The registry answered 304: nothing changed since the last complete pull.</summary>
    Unchanged,

    /// <summary>Some transfers worked, others failed or conflicted.</summary>
    Partial,

    /// <summary>Nothing moved and something failed.</summary>
    Failed,
}

internal static class PassResultNames
{
    public static string ToWire(this PassResult result) => result switch
    {
        PassResult.Ok => "ok",
        PassResult.Unchanged => "unchanged",
        PassResult.Partial => "partial",
        _ => "failed",
    };
}
