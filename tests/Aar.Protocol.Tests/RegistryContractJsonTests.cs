using System.Text.Json;
using Aar.Protocol.Admin;
using Aar.Protocol.Registry;

namespace Aar.Protocol.Tests;

/// <summary>Golden JSON of the storage and transfer contracts.</summary>
public sealed class RegistryContractJsonTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private const string Digest = "sha256:0000000000000000000000000000000000000000000000000000000000000001";

    [Fact]
    public void Blob_and_upload_session()
    {
        Assert.Equal($$"""{"digest":"{{Digest}}","size":5}""", JsonSerializer.Serialize(new BlobDescriptor { Digest = Digest, Size = 5 }, ProtocolJsonContext.Default.BlobDescriptor));
        Assert.Equal(
            """{"id":"ab","offset":7,"expires_at":"2026-11-25T12:00:00+00:00","location":"/1.0/uploads/ab"}""",
            JsonSerializer.Serialize(new UploadSession { Id = "ab", Offset = 7, ExpiresAt = Time, Location = "/1.0/uploads/ab" }, ProtocolJsonContext.Default.UploadSession));
    }

    [Fact]
    public void Chunk_lookup_answer_and_copy_request()
    {
        Assert.Equal(
            $$"""{"blobs":["{{Digest}}"],"runs":[{"first":2,"count":3,"blob":0,"offset":65536,"length":200000}]}""",
            JsonSerializer.Serialize(new ChunkMatches { Blobs = [Digest], Runs = [new ChunkRun { First = 2, Count = 3, Blob = 0, Offset = 65536, Length = 200000 }] }, ProtocolJsonContext.Default.ChunkMatches));
        Assert.Equal(
            $$"""{"offset":10,"ranges":[{"blob":"{{Digest}}","offset":0,"length":4096}]}""",
            JsonSerializer.Serialize(new UploadCopyRequest { Offset = 10, Ranges = [new BlobRange { Blob = Digest, Offset = 0, Length = 4096 }] }, ProtocolJsonContext.Default.UploadCopyRequest));
    }

    [Fact]
    public void Version_request_listing_and_deletions()
    {
        using var manifest = JsonDocument.Parse("""{"name":"game"}""");
        var request = JsonSerializer.Deserialize($$"""{"digest":"{{Digest}}","size":5,"manifest":{"name":"game"},"tags":["beta"]}""", ProtocolJsonContext.Default.CreateVersionRequest)!;
        var version = new ApplicationVersion { Version = 2, Digest = Digest, Size = 5, Manifest = manifest.RootElement, Tags = ["beta"], CreatedAt = Time, Publisher = "p", Generation = 9 };
        var listing = new ApplicationListing { Generation = 9, Applications = [new ApplicationRecord { Name = "game", Architecture = "amd64", Owner = "p", CreatedAt = Time, Versions = [version] }] };
        var deletions = new DeletionListing { Generation = 11, Since = 9, Deletions = [new DeletionRecord { Generation = 10, Name = "game", Architecture = "amd64", Version = 2, DeletedAt = Time }, new DeletionRecord { Generation = 11, Name = "maps", Architecture = "arm64", DeletedAt = Time }] };

        Assert.Equal((Digest, 5L, "game", "beta"), (request.Digest, request.Size, request.Manifest!.Value.GetProperty("name").GetString(), request.Tags.Single()));
        Assert.Equal(
            $$"""{"generation":9,"applications":[{"name":"game","architecture":"amd64","owner":"p","created_at":"2026-11-25T12:00:00+00:00","versions":[{"version":2,"digest":"{{Digest}}","size":5,"manifest":{"name":"game"},"tags":["beta"],"created_at":"2026-11-25T12:00:00+00:00","publisher":"p","generation":9}]}]}""",
            JsonSerializer.Serialize(listing, ProtocolJsonContext.Default.ApplicationListing));
        Assert.Equal(
            """{"generation":11,"since":9,"deletions":[{"generation":10,"name":"game","architecture":"amd64","version":2,"deleted_at":"2026-11-25T12:00:00+00:00"},{"generation":11,"name":"maps","architecture":"arm64","deleted_at":"2026-11-25T12:00:00+00:00"}]}""",
            JsonSerializer.Serialize(deletions, ProtocolJsonContext.Default.DeletionListing));
    }

    [Fact]
    public void Status_and_scrub()
    {
        var status = new RegistryStatus { ServerVersion = "0.1.0", Generation = 1, Applications = 2, Versions = 3, Blobs = 4, BlobBytes = 5, UploadsInFlight = 6, UploadBytes = 7, TrustedPublishers = 8, TrustedClients = 9, RevokedCertificates = 10 };
        Assert.Equal(
            """{"server_version":"0.1.0","generation":1,"applications":2,"versions":3,"blobs":4,"blob_bytes":5,"uploads_in_flight":6,"upload_bytes":7,"trusted_publishers":8,"trusted_clients":9,"revoked_certificates":10,"signing_key_rotations":0}""",
            JsonSerializer.Serialize(status, ProtocolJsonContext.Default.RegistryStatus));
        Assert.EndsWith(
            ""","revoked_certificates":10,"signing_key_id":"ab","signing_public_key":"cd","signing_key_rotations":2,"signing_problem":"why"}""",
            JsonSerializer.Serialize(status with { SigningKeyId = "ab", SigningPublicKey = "cd", SigningKeyRotations = 2, SigningProblem = "why" }, ProtocolJsonContext.Default.RegistryStatus),
            StringComparison.Ordinal);
        Assert.Equal(
            $$"""{"checked":1,"bytes":2,"corrupt":["{{Digest}}"],"missing":[]}""",
            JsonSerializer.Serialize(new ScrubReport { Checked = 1, Bytes = 2, Corrupt = [Digest], Missing = [] }, ProtocolJsonContext.Default.ScrubReport));
    }
}
