using System.Text.Json;
using Aar.Protocol.Management;

namespace Aar.Protocol.Tests;

/// <summary>Golden JSON of the AMS local API (ams ↔ amc): snake_case names in the original product's envelope.</summary>
public sealed class ManagementContractJsonTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly ManagementJsonContext Json = ManagementJsonContext.Default;

    [Fact]
    public void Error_envelope()
    {
        var json = JsonSerializer.Serialize(new Response { Type = "error", Error = "e", ErrorCode = 404 }, Json.Response);

        Assert.Equal("""{"type":"error","error_code":404,"error":"e"}""", json);
    }

    [Fact]
    public void Sync_envelope_round_trips_its_metadata()
    {
        var metadata = JsonSerializer.SerializeToElement(new VersionPatch { Published = true }, Json.VersionPatch);
        var json = JsonSerializer.Serialize(new Response { Type = "sync", Status = "Success", StatusCode = 200, Metadata = metadata }, Json.Response);

        Assert.Equal("""{"type":"sync","status":"Success","status_code":200,"metadata":{"published":true}}""", json);
        Assert.True(JsonSerializer.Deserialize(json, Json.Response)!.Metadata!.Value.Deserialize(Json.VersionPatch)!.Published);
    }

    [Fact]
    public void Application_with_a_version()
    {
        var application = new ApplicationInfo
        {
            Id = "i", Name = "n", Status = "ready", InstanceType = "a2.3", BootPackage = "com.a.b", Published = true, Immutable = true,
            Architecture = "amd64", Tags = ["t"], Origin = new ApplicationOrigin { RegistryUrl = "https://r:3000", Fingerprint = "f" },
            CreatedAt = Time, UpdatedAt = Time,
            Versions =
            [
                new ApplicationVersionInfo
                {
                    Number = 0, Status = "ready", Published = true, Sha256 = "s", Size = 5, CreatedAt = Time,
                    Manifest = new ManifestInfo { Name = "n", Version = "1", ExtraData = new() { ["x"] = new ManifestExtraData { Target = "/data/data/com.a.b" } }, HasApk = true },
                },
            ],
        };

        var json = JsonSerializer.Serialize(application, Json.ApplicationInfo);

        Assert.Equal(
            """{"id":"i","name":"n","status":"ready","instance_type":"a2.3","boot_package":"com.a.b","published":true,"immutable":true,"architecture":"amd64","tags":["t"],"addons":[],"origin":{"registry_url":"https://r:3000","fingerprint":"f"},"created_at":"2026-11-25T12:00:00+00:00","updated_at":"2026-11-25T12:00:00+00:00","versions":[{"number":0,"status":"ready","published":true,"sha256":"s","size":5,"created_at":"2026-11-25T12:00:00+00:00","manifest":{"name":"n","version":"1","required_permissions":[],"addons":[],"tags":[],"features":[],"node_selector":[],"resources":{},"services":[],"extra_data":{"x":{"target":"/data/data/com.a.b","owner":"root:root","permissions":"0644"}},"bootstrap_keep":[],"has_apk":true}}]}""",
            json);
    }

    [Fact]
    public void Operation_config_and_trust()
    {
        var operation = JsonSerializer.Serialize(new OperationInfo { Id = "o", Description = "d", CreatedAt = Time, UpdatedAt = Time, Status = "Failure", StatusCode = 400, Err = "bad", ErrCode = 400 }, Json.OperationInfo);
        var post = JsonSerializer.Serialize(new ConfigPost { Name = "registry.mode", Value = "push" }, Json.ConfigPost);
        var trusted = JsonSerializer.Serialize(new TrustedCertificate { Fingerprint = "f", CommonName = "c", IssueDate = Time, ExpiryDate = Time, AddedAt = Time }, Json.TrustedCertificate);

        Assert.Equal("""{"id":"o","class":"task","description":"d","created_at":"2026-11-25T12:00:00+00:00","updated_at":"2026-11-25T12:00:00+00:00","status":"Failure","status_code":400,"resources":{},"metadata":{},"may_cancel":false,"err":"bad","err_code":400}""", operation);
        Assert.Equal("""{"name":"registry.mode","value":"push"}""", post);
        Assert.Equal("""{"fingerprint":"f","common_name":"c","issue_date":"2026-11-25T12:00:00+00:00","expiry_date":"2026-11-25T12:00:00+00:00","added_at":"2026-11-25T12:00:00+00:00"}""", trusted);
    }

    [Fact]
    public void Rejected_versions_appear_only_when_there_are_some()
    {
        var rejected = new RejectedVersionInfo { Application = "game", Version = 1, Digest = "sha256:d", Size = 7, Reason = "r", RejectedAt = Time };
        var application = new ApplicationInfo { Id = "i", Name = "game", Status = "ready", Published = false, Immutable = true, Architecture = "amd64", CreatedAt = Time, UpdatedAt = Time, Rejected = [rejected] };

        var json = JsonSerializer.Serialize(application, Json.ApplicationInfo);
        var without = JsonSerializer.Serialize(application with { Rejected = null }, Json.ApplicationInfo);

        Assert.EndsWith(""","versions":[],"rejected":[{"application":"game","version":1,"digest":"sha256:d","size":7,"reason":"r","rejected_at":"2026-11-25T12:00:00+00:00"}]}""", json, StringComparison.Ordinal);
        Assert.EndsWith(""","versions":[]}""", without, StringComparison.Ordinal);
        Assert.Equal(rejected, JsonSerializer.Deserialize(json, Json.ApplicationInfo)!.Rejected!.Single());
    }
}
