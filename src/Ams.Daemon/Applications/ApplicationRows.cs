using System.Text.Json;
using Aar.Hosting;
using Aar.Protocol.Management;
using Microsoft.Data.Sqlite;

namespace Ams.Daemon.Applications;

/// <summary>Reads applications with their versions in two queries (no N+1).</summary>
internal static class ApplicationRows
{
    public static async Task<List<LocalApplication>> ReadAsync(SqliteConnection connection, string? idOrName, CancellationToken cancellationToken)
    {
        var where = idOrName is null ? "" : "WHERE a.id = $key OR a.name = $key";
        var versions = new Dictionary<string, List<LocalVersion>>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"""
                SELECT v.application_id, v.number, v.status, v.error_message, v.published, v.created_at, v.sha256, v.size, v.manifest
                FROM versions v JOIN applications a ON a.id = v.application_id {where} ORDER BY v.application_id, v.number
                """;
            command.Parameters.AddWithValue("$key", (object?)idOrName ?? DBNull.Value);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var manifest = JsonSerializer.Deserialize(reader.GetString(8), ManagementJsonContext.Default.ManifestInfo)!;
                var version = new LocalVersion(
                    reader.GetInt32(1), VersionStatusNames.Parse(reader.GetString(2)), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt64(4) == 1,
                    DbTime.Parse(reader.GetString(5)), reader.GetString(6), reader.GetInt64(7), manifest);
                if (!versions.TryGetValue(reader.GetString(0), out var list))
                {
                    versions[reader.GetString(0)] = list = [];
                }

                list.Add(version);
            }
        }

        var applications = new List<LocalApplication>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT a.id, a.name, a.created_at, a.updated_at, a.immutable, a.origin_url, a.origin_fingerprint FROM applications a {where} ORDER BY a.name";
            command.Parameters.AddWithValue("$key", (object?)idOrName ?? DBNull.Value);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var origin = reader.IsDBNull(5) ? null : new ApplicationOrigin { RegistryUrl = reader.GetString(5), Fingerprint = reader.IsDBNull(6) ? "" : reader.GetString(6) };
                applications.Add(new LocalApplication(
                    reader.GetString(0), reader.GetString(1), DbTime.Parse(reader.GetString(2)), DbTime.Parse(reader.GetString(3)),
                    reader.GetInt64(4) == 1, origin, versions.GetValueOrDefault(reader.GetString(0)) ?? []));
            }
        }

        return applications;
    }
}
