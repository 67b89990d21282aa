namespace Aar.Cli.Common;

/// <summary>Exit codes shared by <c>aar</c> and <c>amc</c>; documented in docs/exit-codes.md and in <c>--help</c>.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command line was wrong (unknown option, missing argument, bad value).</summary>
    public const int Usage = 1;

    /// <summary>The daemon could not be reached (not running, wrong data directory, socket permissions).</summary>
    public const int Unreachable = 2;

    /// <summary>The daemon refused the input (bad certificate, bad value).</summary>
    public const int InvalidInput = 3;

    /// <summary>What the command names does not exist.</summary>
    public const int NotFound = 4;

    /// <summary>The request conflicts with the current state (revoked certificate, ambiguous prefix, role mismatch).</summary>
    public const int Conflict = 5;

    /// <summary>The operator declined a confirmation prompt; nothing changed.</summary>
    public const int Cancelled = 6;

    /// <summary>The daemon or the CLI failed unexpectedly.</summary>
    public const int Internal = 10;

    public const string HelpText =
        "Exit codes: 0 ok, 1 usage error, 2 daemon unreachable, 3 invalid input, 4 not found, 5 conflict, 6 cancelled, 10 internal error.";
}
