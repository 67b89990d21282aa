using System.Data.Common;
using System.Security.Cryptography;
using Aar.Protocol.Registry;
using Aar.Server.Data;
using Aar.Server.Storage;
using Aar.Server.Trust;
using TestSupport;

namespace Aar.Server.Tests;

/// <summary>What makes a trust change and a stored blob survive a power cut, checked on the real SQLite file and file system.</summary>
public sealed class DurableWritesTests
{
    [Fact]
    public async Task Trust_writes_use_a_connection_with_synchronous_full_and_ordinary_connections_get_normal_back()
    {
        using var temp = new TempDirectory();
        var database = new SqliteRegistryDatabase(temp.Combine("aar.db"));
        await database.MigrateAsync(CancellationToken.None);
        var trust = new TrustDatabase(database);

        await using (var write = await trust.OpenWriteAsync(CancellationToken.None))
        {
            Assert.Equal(2L, await SynchronousAsync(write)); // FULL
        }

        // The pool hands that same connection out again: an ordinary open sets NORMAL again.
        await using var ordinary = await database.OpenAsync(CancellationToken.None);
        Assert.Equal(1L, await SynchronousAsync(ordinary)); // NORMAL
        Assert.Equal("wal", await ScalarAsync(ordinary, "PRAGMA journal_mode;"));
    }

    [Fact]
    public async Task A_blob_in_a_new_shard_lands_in_a_directory_created_for_it()
    {
        using var temp = new TempDirectory();
        var store = new FileSystemBlobStore(temp.Combine("blobs"));
        var bytes = RandomNumberGenerator.GetBytes(4096);
        var digest = BlobDigest.FromHash(SHA256.HashData(bytes));
        var shard = Path.GetDirectoryName(store.PathOf(digest))!;
        Assert.False(Directory.Exists(shard));

        var result = await store.PutAsync(new MemoryStream(bytes), digest, bytes.Length, CancellationToken.None);

        Assert.Equal(BlobPutOutcome.Created, result.Outcome);
        Assert.True(Directory.Exists(shard));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(store.PathOf(digest)));
        Assert.Empty(Directory.EnumerateFiles(store.TemporaryDirectory));
    }

    private static async Task<long> SynchronousAsync(DbConnection connection) =>
        Convert.ToInt64(await ScalarAsync(connection, "PRAGMA synchronous;"), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
