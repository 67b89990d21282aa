using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Aar.Protocol.Admin;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Registry;
using Aar.Server.Access;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests.Access;

/// <summary>
/// The admin API over mutual TLS, as a hostile trusted caller would try it: every admin route (every method and path
/// the server declares, with real arguments) spelled with case changes, percent-encoded letters and slashes, doubled
/// slashes, dot segments and trailing slashes, sent byte for byte over HTTP/1.1 and HTTP/2. Each is refused (403 or
/// 404) and nothing changes: trust entries, revocations, tokens and applications are the same afterwards.
/// </summary>
public sealed class AdminSpellingTests(ITestOutputHelper output)
{
    public static TheoryData<string, bool> Callers => new()
    {
        { "client", false },
        { "client", true },
        { "publisher", false },
        { "publisher", true },
    };

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Every_admin_route_in_every_spelling_is_refused_over_mtls_and_changes_nothing(string role, bool http2)
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var server = registry.Server;
        using var victim = TestCertificates.Client("victim");
        await server.TrustAsync(victim, TrustRole.Client);
        using var reader = TestCertificates.Client("reader");
        await server.TrustAsync(reader, TrustRole.Client);
        var caller = role == "publisher" ? registry.PublisherCertificate : reader;
        using var intruder = TestCertificates.Client("intruder");
        using var admin = server.Admin();
        var token = (await admin.CreateTokenAsync(new CreateTokenRequest { Role = "client" })).Value!;
        var blob = await ApplicationTests.StoreAsync(registry, 100);
        (await ApplicationTests.CreateAsync(registry.Http, "com.example.app", "arm64", 1, blob)).Dispose();
        var before = await SnapshotAsync(admin);

        var routes = DeclaredRoute.Of(server).Where(r => r.Rule == AccessKind.AdminSocketOnly).ToList();
        Assert.True(routes.Count >= 14, $"Only {routes.Count} admin routes found.");
        var answers = new List<(string Line, int Status)>();
        foreach (var route in routes)
        {
            var path = route.PathWith(name => name == "id" ? token.Entry.Id : EndpointRuleTests.Argument(name, TestCertificates.FingerprintOf(victim)));
            foreach (var (how, spelled) in Spellings(path))
            {
                var status = await RawHttps.SendAsync(server.Address, server.ServerFingerprint, caller, http2, route.Method, spelled, BodyFor(route.Method, route.Pattern, intruder));
                answers.Add(($"{role} HTTP/{(http2 ? "2" : "1.1")} {route.Method} {spelled} ({how}) -> {status}", status));
            }
        }

        foreach (var (line, _) in answers)
        {
            output.WriteLine(line);
        }

        Assert.Empty(answers.Where(a => a.Status is not (403 or 404)).Select(a => a.Line));
        Assert.Equal(before, await SnapshotAsync(admin));
    }

    /// <summary>The body each admin write would need to do harm: trust an intruder as publisher, mint a publisher token.</summary>
    internal static string? BodyFor(string method, string pattern, X509Certificate2 intruder) =>
        method != "POST" ? null
        : pattern.EndsWith("/trust/tokens/", StringComparison.Ordinal) || pattern.EndsWith("/trust/tokens", StringComparison.Ordinal) ? """{"role":"publisher"}"""
        : pattern.TrimEnd('/').EndsWith("/trust", StringComparison.Ordinal) ? $$"""{"certificate":{{JsonSerializer.Serialize(TestCertificates.Pem(intruder))}},"role":"publisher"}"""
        : null;

    /// <summary>Ways to write <paramref name="path"/> (which starts <c>/admin/1.0/</c>) that a lenient router could still match.</summary>
    internal static IEnumerable<(string How, string Path)> Spellings(string path)
    {
        var rest = path["/admin".Length..];           // "/1.0/trust/…"
        var afterVersion = rest["/1.0".Length..];     // "/trust/…" or ""
        yield return ("as documented", path);
        yield return ("upper-case prefix", "/ADMIN" + rest);
        yield return ("mixed case", "/Admin" + rest);
        yield return ("whole path upper-case", path.ToUpperInvariant());
        yield return ("percent-encoded A", "/%41dmin" + rest);
        yield return ("percent-encoded a", "/%61dmin" + rest);
        yield return ("whole segment percent-encoded", "/%61%64%6d%69%6e" + rest);
        if (afterVersion.Length > 1)
        {
            yield return ("later letter percent-encoded", $"/admin/1.0/%{(int)afterVersion[1]:X2}{afterVersion[2..]}");
        }

        yield return ("encoded slash %2F", "/admin%2F1.0" + afterVersion);
        yield return ("encoded slash %2f", "/admin%2f1.0" + afterVersion);
        yield return ("leading encoded slash", "/%2Fadmin" + rest);
        yield return ("doubled leading slash", "/" + path);
        yield return ("doubled inner slash", "/admin/" + rest);
        yield return ("every slash doubled", path.Replace("/", "//", StringComparison.Ordinal));
        yield return ("dot segment", "/./admin" + rest);
        yield return ("inner dot segment", "/admin/./1.0" + afterVersion);
        yield return ("dot-dot segment", "/x/../admin" + rest);
        yield return ("dot-dot from a registry route", "/1.0/../admin" + rest);
        yield return ("encoded dot segment", "/%2e/admin" + rest);
        yield return ("encoded dot-dot segment", "/x/%2e%2e/admin" + rest);
        yield return ("trailing slash", path + "/");
        yield return ("two trailing slashes", path + "//");
        yield return ("trailing dot segment", path + "/.");
        yield return ("upper-case with trailing slash", "/ADMIN" + rest + "/");
    }

    private static async Task<string> SnapshotAsync(AdminClient admin)
    {
        var trusted = (await admin.ListTrustedAsync()).Value!.Select(e => $"{e.Fingerprint}:{e.Role}:{e.Name}");
        var revoked = (await admin.ListRevokedAsync()).Value!.Select(e => e.Fingerprint);
        var tokens = (await admin.ListTokensAsync()).Value!.Select(t => $"{t.Id}:{t.Role}");
        var applications = (await admin.ListApplicationsAsync()).Value!;
        return string.Join("\n",
            "trusted " + string.Join(",", trusted.Order(StringComparer.Ordinal)),
            "revoked " + string.Join(",", revoked.Order(StringComparer.Ordinal)),
            "tokens " + string.Join(",", tokens.Order(StringComparer.Ordinal)),
            "applications " + JsonSerializer.Serialize(applications, Aar.Protocol.ProtocolJsonContext.Default.ApplicationListing));
    }
}
