using System.Globalization;
using System.Text;
using Aar.Hosting;
using Aar.Protocol.Registry;
using Aar.Server.Data;

namespace Aar.Server.Deltas;

/// <summary>Where a stored chunk lies: blob, first byte, length.</summary>
internal readonly record struct ChunkLocation(BlobDigest Blob, long Start, long Length);

/// <summary>A chunk of a blob's index: its SHA-256 and where it lies in that blob.</summary>
internal readonly record struct IndexedChunk(byte[] Hash, long Start, long Length);

/// <summary>
/// The chunk → location table every delta upload asks (<c>chunk_locations</c>), and which blobs it covers
/// (<c>chunk_indexed_blobs</c>); every query lives here. Parameters are <c>@name</c> so the SQL stays provider-neutral.
/// </summary>
internal sealed class ChunkLocations(RegistryDatabase database, TimeProvider time)
{
    /// <summary>Hashes per lookup query: far under SQLite's and PostgreSQL's parameter limits.</summary>
    private const int QueryBatch = 500;

    /// <summary>Records a blob's chunks (a chunk already recorded elsewhere keeps its first location) and marks the blob done.</summary>
    public async Task RecordAsync(BlobDigest blob, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await using (var insert = connection.Command("INSERT INTO chunk_locations (hash, blob, start, length) VALUES (@hash, @blob, @start, @length) ON CONFLICT DO NOTHING", transaction))
        {
            var hash = insert.CreateParameter();
            hash.ParameterName = "@hash";
            hash.DbType = System.Data.DbType.Binary;
            insert.Parameters.Add(hash);
            insert.Add("@blob", blob.ToString());
            var start = insert.CreateParameter();
            start.ParameterName = "@start";
            start.DbType = System.Data.DbType.Int64;
            insert.Parameters.Add(start);
            var length = insert.CreateParameter();
            length.ParameterName = "@length";
            length.DbType = System.Data.DbType.Int64;
            insert.Parameters.Add(length);
            foreach (var chunk in chunks)
            {
                (hash.Value, start.Value, length.Value) = (chunk.Hash, chunk.Start, chunk.Length);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await using (var mark = connection.Command("INSERT INTO chunk_indexed_blobs (blob, indexed_at) VALUES (@blob, @at) ON CONFLICT DO NOTHING", transaction))
        {
            mark.Add("@blob", blob.ToString());
            mark.Add("@at", DbTime.Format(time.GetUtcNow()));
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> IsRecordedAsync(BlobDigest blob, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT count(*) FROM chunk_indexed_blobs WHERE blob = @blob");
        command.Add("@blob", blob.ToString());
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>The blobs whose chunks are recorded.</summary>
    public async Task<HashSet<string>> IndexedBlobsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT blob FROM chunk_indexed_blobs");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var blobs = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            blobs.Add(reader.GetString(0));
        }

        return blobs;
    }

    /// <summary>The recorded location of each hash, or null where none is recorded; in the order asked.</summary>
    public async Task<ChunkLocation?[]> FindAsync(IReadOnlyList<byte[]> hashes, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, ChunkLocation>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        for (var from = 0; from < hashes.Count; from += QueryBatch)
        {
            var count = Math.Min(QueryBatch, hashes.Count - from);
            var sql = new StringBuilder("SELECT hash, blob, start, length FROM chunk_locations WHERE hash IN (");
            await using var command = connection.CreateCommand();
            for (var i = 0; i < count; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append("@h").Append(i.ToString(CultureInfo.InvariantCulture));
                command.AddNullable("@h" + i.ToString(CultureInfo.InvariantCulture), hashes[from + i], System.Data.DbType.Binary);
            }

            command.CommandText = sql.Append(')').ToString();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (BlobDigest.TryParse(reader.GetString(1), out var blob))
                {
                    found[Convert.ToHexString((byte[])reader.GetValue(0))] = new ChunkLocation(blob, reader.GetInt64(2), reader.GetInt64(3));
                }
            }
        }

        return [.. hashes.Select(h => found.TryGetValue(Convert.ToHexString(h), out var at) ? at : (ChunkLocation?)null)];
    }

    /// <summary>Forgets a blob that is no longer stored, so lookups stop naming it and a re-upload records it again.</summary>
    public async Task ForgetAsync(BlobDigest blob, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        foreach (var table in new[] { "chunk_locations", "chunk_indexed_blobs" })
        {
            await using var command = connection.Command($"DELETE FROM {table} WHERE blob = @blob", transaction);
            command.Add("@blob", blob.ToString());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

}
