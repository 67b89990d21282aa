namespace Aar.Server.Migration;

/// <summary>Why a migration cannot go on; <c>aar migrate</c> turns each kind into its exit code.</summary>
public enum MigrationFailure
{
    /// <summary>The target options are wrong or missing.</summary>
    BadOptions,

    /// <summary>The data directory holds no embedded registry to migrate.</summary>
    NoSource,

    /// <summary>The embedded registry is damaged (a malformed digest, a missing or corrupt blob).</summary>
    DamagedSource,

    /// <summary>Copying a blob failed on the way; running the migration again resumes it.</summary>
    CopyFailed,

    /// <summary>The target database already holds a registry.</summary>
    TargetNotEmpty,
}
