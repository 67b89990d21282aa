using Aar.Hosting;
using Aar.Protocol.Management;
using Ams.Daemon.Data;

namespace Ams.Daemon.Applications;

/// <summary>
/// Registry versions this AMS refused, in <c>rejected_versions</c>: keyed by name and number (an AMS has one
/// architecture), with the registry they came from and the digest it listed. The puller skips a version while its
/// digest is the one remembered; a pass against another registry forgets the rows of the previous one.
/// </summary>
internal sealed class RejectedVersions(AmsDatabase database)
{
    public async Task<List<RejectedVersionInfo>> ListAsync(string? name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, number, digest, size, reason, rejected_at FROM rejected_versions WHERE $name IS NULL OR name = $name ORDER BY name, number";
        command.Parameters.AddWithValue("$name", (object?)name ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<RejectedVersionInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new RejectedVersionInfo
            {
                Application = reader.GetString(0),
                Version = reader.GetInt32(1),
                Digest = reader.GetString(2),
                Size = reader.GetInt64(3),
                Reason = reader.GetString(4),
                RejectedAt = DbTime.Parse(reader.GetString(5)),
            });
        }

        return rows;
    }

    public Task RecordAsync(string registry, RejectedVersionInfo rejected, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO rejected_versions (name, number, registry, digest, size, reason, rejected_at)
            VALUES ($name, $number, $registry, $digest, $size, $reason, $at)
            ON CONFLICT (name, number) DO UPDATE SET registry = excluded.registry, digest = excluded.digest, size = excluded.size, reason = excluded.reason, rejected_at = excluded.rejected_at
            """,
            cancellationToken,
            ("$name", rejected.Application), ("$number", rejected.Version), ("$registry", registry), ("$digest", rejected.Digest),
            ("$size", rejected.Size), ("$reason", rejected.Reason), ("$at", DbTime.Format(rejected.RejectedAt)));

    /// <summary>Forgets one version (<paramref name="number"/> given) or every version of an application; returns how many.</summary>
    public Task<int> ForgetAsync(string name, int? number, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "DELETE FROM rejected_versions WHERE name = $name AND ($number IS NULL OR number = $number)",
            cancellationToken,
            ("$name", name), ("$number", (object?)number ?? DBNull.Value));

    /// <summary>Forgets what another registry served: its versions are not this one's.</summary>
    public Task<int> ForgetOtherRegistriesAsync(string registry, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM rejected_versions WHERE registry <> $registry", cancellationToken, ("$registry", registry));

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
