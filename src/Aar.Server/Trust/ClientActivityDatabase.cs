using System.Data;
using Aar.Hosting;
using Aar.Server.Data;

namespace Aar.Server.Trust;

/// <summary>
/// The <c>client_activity</c> table: one row per trusted or revoked certificate, written in batches by
/// <see cref="ClientActivityFlusher"/>. With several nodes each writes what it saw; the upsert keeps the newest last
/// request, the highest generation and the latest refusal, so no node's batch moves a value backwards.
/// </summary>
internal sealed class ClientActivityDatabase(RegistryDatabase database)
{
    private const string Upsert = """
        INSERT INTO client_activity (fingerprint, last_seen, generation, refused_at, refusal, refusals)
        VALUES (@fingerprint, @last_seen, @generation, @refused_at, @refusal, @refusals)
        ON CONFLICT (fingerprint) DO UPDATE SET
            last_seen = CASE WHEN client_activity.last_seen IS NULL OR excluded.last_seen > client_activity.last_seen THEN excluded.last_seen ELSE client_activity.last_seen END,
            generation = CASE WHEN client_activity.generation IS NULL OR excluded.generation > client_activity.generation THEN excluded.generation ELSE client_activity.generation END,
            refused_at = CASE WHEN client_activity.refused_at IS NULL OR excluded.refused_at > client_activity.refused_at THEN excluded.refused_at ELSE client_activity.refused_at END,
            refusal = CASE WHEN client_activity.refused_at IS NULL OR excluded.refused_at > client_activity.refused_at THEN excluded.refusal ELSE client_activity.refusal END,
            refusals = CASE WHEN excluded.refusals > client_activity.refusals THEN excluded.refusals ELSE client_activity.refusals END
        """;

    public async Task<List<(string Fingerprint, ClientActivityView View)>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.Command("SELECT fingerprint, last_seen, generation, refused_at, refusal, refusals FROM client_activity");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(string, ClientActivityView)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(0), new ClientActivityView(
                reader.IsDBNull(1) ? null : DbTime.Parse(reader.GetString(1)),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                reader.IsDBNull(3) ? null : DbTime.Parse(reader.GetString(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetInt64(5))));
        }

        return rows;
    }

    /// <summary>One transaction for the whole batch: one commit (one fsync) however many clients changed.</summary>
    public async Task WriteAsync(IReadOnlyList<(string Fingerprint, ClientActivityView View)> rows, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        foreach (var (fingerprint, view) in rows)
        {
            using var command = connection.Command(Upsert, transaction);
            command.Add("@fingerprint", fingerprint);
            command.AddNullable("@last_seen", view.LastSeen is { } seen ? DbTime.Format(seen) : null, DbType.String);
            command.AddNullable("@generation", view.Generation, DbType.Int64);
            command.AddNullable("@refused_at", view.RefusedAt is { } refused ? DbTime.Format(refused) : null, DbType.String);
            command.AddNullable("@refusal", view.Refusal, DbType.String);
            command.Add("@refusals", view.Refusals);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
