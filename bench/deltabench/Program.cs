// deltabench URL CERT KEY SERVER_FINGERPRINT COMMAND FILE [OUT]
//   upload-whole FILE    the whole-package path (RegistryClient.UploadBlobAsync), as the AMS pushed before deltas
//   upload-delta FILE    the AMS's push path: chunk the package, then RegistryClient.UploadDeltaAsync (decides by itself)
//   wait-recorded FILE   until the registry has recorded every chunk of FILE (it does so in the background after an upload)
//   download FILE OUT    GET the blob named by FILE's digest to OUT, verified
// Prints one line of key=value: seconds of the transfer, sent, reused and overhead bytes as the client counted them,
// and prep_s: hashing (and for a delta, chunking) the package first, which the AMS does once when it imports a
// package, not per push, so it is reported apart. The wire itself is measured on the registry (bench/delta.sh).
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;
using Aar.Protocol.Chunking;
using Aar.Protocol.Registry;

if (args.Length < 6)
{
    Console.Error.WriteLine("usage: deltabench URL CERT KEY SERVER_FINGERPRINT upload-whole|upload-delta|wait-recorded|download FILE [OUT]");
    return 2;
}

using var certificate = X509Certificate2.CreateFromPemFile(args[1], args[2]);
if (!Fingerprint.TryParse(args[3], out var pin))
{
    Console.Error.WriteLine($"not a SHA-256 fingerprint: {args[3]}");
    return 2;
}

using var client = RegistryClient.Create(new Uri(args[0]), certificate, pin);
var command = args[4];
var path = args[5];
var clock = Stopwatch.StartNew();
double prep = 0;
string line;
switch (command)
{
    case "upload-whole":
    {
        await using var file = Open(path);
        var digest = await BlobDigest.OfAsync(file);
        file.Position = 0;
        prep = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var result = await client.UploadBlobAsync(file, digest, file.Length);
        if (!result.Succeeded)
        {
            return Fail(result.Problem!.Detail);
        }

        line = $"delta=False sent={file.Length} reused=0 overhead=0";
        break;
    }

    case "upload-delta":
    {
        await using var file = Open(path);
        // One pass gives both the digest and the chunks, as the AMS has them for a package it holds.
        var index = await ChunkIndexBuilder.ComputeAsync(file, ChunkParameters.Default);
        file.Position = 0;
        var chunks = Chunks(index);
        prep = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var result = await client.UploadDeltaAsync(file, index.Digest, file.Length, chunks);
        if (!result.Succeeded)
        {
            return Fail(result.Problem!.Detail);
        }

        var o = result.Value!;
        line = string.Create(CultureInfo.InvariantCulture, $"delta={o.Delta} sent={o.SentBytes} reused={o.ReusedBytes} overhead={o.OverheadBytes}");
        break;
    }

    case "wait-recorded":
    {
        await using var file = Open(path);
        var index = await ChunkIndexBuilder.ComputeAsync(file, ChunkParameters.Default);
        var hashes = Chunks(index);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var (found, total) = await CountKnownAsync(client, hashes);
            if (found == total)
            {
                break;
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                return Fail($"only {found} of {total} chunks recorded after 5 minutes");
            }

            await Task.Delay(200);
        }

        line = $"chunks={hashes.Count}";
        break;
    }

    case "download":
    {
        await using var file = Open(path);
        var digest = await BlobDigest.OfAsync(file);
        clock.Restart();
        var result = await client.DownloadBlobAsync(digest, args[6]);
        if (!result.Succeeded)
        {
            return Fail(result.Problem!.Detail);
        }

        line = $"received={result.Value!.Size}";
        break;
    }

    default:
        return Fail($"unknown command {command}");
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds={clock.Elapsed.TotalSeconds:0.000} prep_s={prep:0.000} {line}"));
return 0;

static FileStream Open(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);

static IReadOnlyList<PackageChunk> Chunks(ChunkIndex index)
{
    var hashes = new byte[index.Count * ChunkHash.Size];
    return [.. index.Chunks().Select(c =>
    {
        var hash = hashes.AsMemory(c.Number * ChunkHash.Size, ChunkHash.Size);
        c.Hash.Write(hash.Span);
        return new PackageChunk(c.Offset, c.Length, hash);
    })];
}

static async Task<(long Found, long Total)> CountKnownAsync(RegistryClient client, IReadOnlyList<PackageChunk> chunks) =>
    (await client.HeldBytesAsync(chunks) ?? -1, chunks.Count == 0 ? 0 : chunks[^1].Offset + chunks[^1].Length);

static int Fail(string? why)
{
    Console.Error.WriteLine($"deltabench: {why}");
    return 1;
}
