using System.Security.Cryptography;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;

namespace Fleet;

/// <summary>The publishing side: seed applications for a realistic listing, then the application the fleet waits for.</summary>
internal sealed class Publisher(RegistryClient client, string work)
{
    public const string Application = "fleet-app";
    public const string Architecture = "amd64";

    /// <summary><paramref name="count"/> applications of one version each, all on one small blob.</summary>
    public async Task SeedAsync(int count)
    {
        var path = Path.Combine(work, "seed.bin");
        await File.WriteAllBytesAsync(path, RandomNumberGenerator.GetBytes(4096));
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, cancellationToken) =>
            Check(await client.PublishFileAsync($"seed-{i:D4}", Architecture, 0, path, tags: ["stable"], cancellationToken: cancellationToken), $"seed-{i}"));
    }

    /// <summary>Version <paramref name="version"/> of <see cref="Application"/>: a new random blob of the given size.</summary>
    public async Task<ApplicationVersion> PublishAsync(int version, int mib)
    {
        var path = Path.Combine(work, $"release-{version}.bin");
        await using (var file = File.Create(path))
        {
            var block = new byte[1024 * 1024];
            for (var i = 0; i < mib; i++)
            {
                RandomNumberGenerator.Fill(block);
                await file.WriteAsync(block);
            }
        }

        var published = Check(await client.PublishFileAsync(Application, Architecture, version, path, tags: ["stable"]), Application);
        File.Delete(path);
        return published;
    }

    private static T Check<T>(ApiResult<T> result, string what) =>
        result.Succeeded ? result.Value! : throw new InvalidOperationException($"publish {what}: {result.Problem!.Title}: {result.Problem.Detail}");
}
