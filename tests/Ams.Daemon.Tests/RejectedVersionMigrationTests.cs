using Microsoft.Data.Sqlite;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests;

/// <summary>Schema step 3: rejections that older daemons kept as imported versions in <c>error</c> become remembered rejections.</summary>
public sealed class RejectedVersionMigrationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Error_versions_of_imported_applications_move_to_the_rejected_versions()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        await daemon.StopAsync();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(daemon.DataDirectory, "ams.db")};Pooling=false"))
        {
            await connection.OpenAsync();
            using var command = connection.CreateCommand();
            var bad = new string('b', 64);
            var good = new string('c', 64);
            // The database as a schema-2 daemon left it: one imported application with only a refused version, one
            // with a good and a refused one, and a local application with a version in error (which stays).
            command.CommandText = $"""
                DROP TABLE rejected_versions;
                DROP TABLE local_deletions;
                DELETE FROM schema_version WHERE version >= 3;
                INSERT INTO registry_state (key, value) VALUES ('pull.registry', 'https://127.0.0.1:3000 {new string('a', 64)}');
                INSERT INTO applications (id, name, created_at, updated_at, next_version, immutable, origin_url, origin_fingerprint) VALUES
                    ('broken0000000000000a', 'broken', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', 1, 1, 'https://127.0.0.1:3000', '{new string('a', 64)}'),
                    ('mixed00000000000000a', 'mixed', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', 2, 1, 'https://127.0.0.1:3000', '{new string('a', 64)}'),
                    ('local00000000000000a', 'local', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', 1, 0, NULL, NULL);
                INSERT INTO versions (application_id, number, status, error_message, published, created_at, sha256, size, manifest) VALUES
                    ('broken0000000000000a', 0, 'error', 'app.apk is not a valid APK', 0, '2026-11-01T00:00:00Z', '{bad}', 10, '{"{"}"name":"broken"{"}"}'),
                    ('mixed00000000000000a', 0, 'ready', NULL, 1, '2026-11-01T00:00:00Z', '{good}', 10, '{"{"}"name":"mixed"{"}"}'),
                    ('mixed00000000000000a', 1, 'error', 'bad manifest', 0, '2026-11-01T00:00:00Z', '{bad}', 10, '{"{"}"name":"mixed"{"}"}'),
                    ('local00000000000000a', 0, 'error', 'bootstrap failed', 0, '2026-11-01T00:00:00Z', '{bad}', 10, '{"{"}"name":"local"{"}"}');
                """;
            await command.ExecuteNonQueryAsync();
        }

        await daemon.RestartAsync();
        using var api = daemon.Client();

        var rejected = (await api.GetRegistryStatusAsync()).Value!.Rejected!;
        Assert.Equal([("broken", 0, "sha256:" + new string('b', 64), "app.apk is not a valid APK"), ("mixed", 1, "sha256:" + new string('b', 64), "bad manifest")],
            rejected.Select(r => (r.Application, r.Version, r.Digest, r.Reason)));
        Assert.Contains("the registry's versions of it were rejected: version 0", (await api.GetApplicationAsync("broken")).Problem!.Detail, StringComparison.Ordinal);
        var mixed = (await api.GetApplicationAsync("mixed")).Value!;
        Assert.Equal([0], mixed.Versions.Select(v => v.Number));
        Assert.Equal([1], mixed.Rejected!.Select(r => r.Version));
        Assert.Equal("error", (await api.GetApplicationAsync("local")).Value!.Status);
    }
}
