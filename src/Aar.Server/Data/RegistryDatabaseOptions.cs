namespace Aar.Server.Data;

/// <summary>Which metadata database the registry uses, as the composition root hands it to <see cref="DatabaseServiceCollectionExtensions.AddRegistryDatabase"/>.</summary>
internal sealed record RegistryDatabaseOptions
{
    /// <summary>The embedded SQLite file (<c>&lt;data&gt;/aar.db</c>), used when <see cref="Database"/> is empty.</summary>
    public required string SqlitePath { get; init; }

    /// <summary>A PostgreSQL URL or Npgsql connection string shared by several nodes; empty = the embedded SQLite file. May hold a password.</summary>
    public string? Database { get; init; }

    /// <summary>True for a shared PostgreSQL database (other nodes change it too).</summary>
    public bool IsShared => !string.IsNullOrWhiteSpace(Database);
}
