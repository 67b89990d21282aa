using System.Data.Common;
using System.Data;
using Aar.Hosting;
using Aar.Protocol.Registry;
using Aar.Server.Data;

namespace Aar.Server.Applications;

/// <summary>
/// Reads of applications, versions and deletion records. A listing is read inside one transaction, so its rows and
/// its generation are one consistent snapshot (WAL readers never see half a write).
/// </summary>
internal sealed class ApplicationQueries(RegistryDatabase database)
{
    /// <summary>
    /// The current generation for a poll's 304: on a shared database from this node's <see cref="GenerationCache"/>
    /// while it is within its staleness bound (no round trip), else read (one load shared by concurrent callers).
    /// </summary>
    public Task<long> GenerationAsync(CancellationToken cancellationToken)
    {
        if (!database.IsShared)
        {
            return ReadGenerationAsync(cancellationToken);
        }

        return database.Generation.TryGetCurrent(out var generation)
            ? Task.FromResult(generation)
            : database.Generation.LoadAsync(ReadGenerationAsync, cancellationToken);
    }

    private async Task<long> ReadGenerationAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GenerationAsync(connection, cancellationToken);
    }

    /// <summary>All applications (of one architecture, when given) with their versions; tag filtering is the caller's.</summary>
    public async Task<ApplicationListing> ListAsync(string? architecture, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginReadAsync(connection, cancellationToken);
        var generation = await GenerationAsync(connection, cancellationToken);
        var applications = await ReadApplicationsAsync(connection, null, architecture, cancellationToken);
        // A committed generation: the next poll with it is answered from memory even before its announcement arrives.
        database.Generation.Advance(generation);
        return new ApplicationListing { Generation = generation, Applications = applications };
    }

    public async Task<ApplicationRecord?> GetAsync(string name, string architecture, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginReadAsync(connection, cancellationToken);
        return (await ReadApplicationsAsync(connection, name, architecture, cancellationToken)).FirstOrDefault();
    }

    /// <summary>Every architecture of one application name (for <c>aar application show</c> without an architecture).</summary>
    public async Task<List<ApplicationRecord>> GetAllArchitecturesAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginReadAsync(connection, cancellationToken);
        return await ReadApplicationsAsync(connection, name, null, cancellationToken);
    }

    public async Task<ApplicationVersion?> GetVersionAsync(string name, string architecture, int version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadVersionAsync(connection, name, architecture, version, cancellationToken);
    }

    public async Task<DeletionListing> DeletionsSinceAsync(long since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginReadAsync(connection, cancellationToken);
        var generation = await GenerationAsync(connection, cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT generation, name, architecture, version, deleted_at FROM deletions WHERE generation > @since ORDER BY generation";
        command.Add("@since", since);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var deletions = new List<DeletionRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            deletions.Add(new DeletionRecord
            {
                Generation = reader.GetInt64(0),
                Name = reader.GetString(1),
                Architecture = reader.GetString(2),
                Version = reader.IsDBNull(3) ? null : reader.GetInt32(3),
                DeletedAt = DbTime.Parse(reader.GetString(4)),
            });
        }

        return new DeletionListing { Generation = generation, Since = since, Deletions = deletions };
    }

    /// <summary>Counts for <c>aar status</c>, and every digest a version refers to (for the scrub).</summary>
    public async Task<(int Applications, int Versions, HashSet<string> Digests)> InventoryAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT count(*) FROM applications), (SELECT count(*) FROM versions); SELECT DISTINCT digest FROM versions;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (applications, versions) = ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
        await reader.NextResultAsync(cancellationToken);
        var digests = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            digests.Add(reader.GetString(0));
        }

        return (applications, versions, digests);
    }

    public static async Task<ApplicationVersion?> ReadVersionAsync(DbConnection connection, string name, string architecture, int version, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {VersionRows.Columns} FROM versions v WHERE v.name = @name AND v.architecture = @architecture AND v.version = @version";
        command.Add("@name", name);
        command.Add("@architecture", architecture);
        command.Add("@version", version);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? VersionRows.Read(reader, 0) : null;
    }

    private static async Task<long> GenerationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT generation FROM registry_state WHERE id = 1";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<List<ApplicationRecord>> ReadApplicationsAsync(DbConnection connection, string? name, string? architecture, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT a.name, a.architecture, a.owner, a.created_at, {VersionRows.Columns}
            FROM applications a LEFT JOIN versions v ON v.name = a.name AND v.architecture = a.architecture
            WHERE (@name IS NULL OR a.name = @name) AND (@architecture IS NULL OR a.architecture = @architecture)
            ORDER BY a.name, a.architecture, v.version
            """;
        command.AddNullable("@name", name, DbType.String);
        command.AddNullable("@architecture", architecture, DbType.String);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var applications = new List<ApplicationRecord>();
        List<ApplicationVersion>? versions = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            var (rowName, rowArchitecture) = (reader.GetString(0), reader.GetString(1));
            if (applications.Count == 0 || applications[^1].Name != rowName || applications[^1].Architecture != rowArchitecture)
            {
                versions = [];
                applications.Add(new ApplicationRecord
                {
                    Name = rowName,
                    Architecture = rowArchitecture,
                    Owner = reader.GetString(2),
                    CreatedAt = DbTime.Parse(reader.GetString(3)),
                    Versions = versions,
                });
            }

            if (!reader.IsDBNull(4))
            {
                versions!.Add(VersionRows.Read(reader, 4));
            }
        }

        return applications;
    }
}
