using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Admin;
using Aar.Protocol.Certificates;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Protocol.Text;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Trust;

/// <summary>
/// Who may connect, and as what. Reads come from an in-memory <see cref="TrustSnapshot"/>; every change is written
/// to the database in one transaction first and then published as a new snapshot, so the very next request (on any
/// connection, new or already open) is decided against it. With a shared database, other nodes change it too: their
/// changes arrive as notifications (<see cref="TrustListener"/> calls <see cref="MarkChanged"/>) and the next request
/// reloads the snapshot before it is decided (<see cref="RefreshAsync"/>). While no listener follows the changes,
/// every request reloads: slower, but a revoked certificate is never let in on a stale snapshot.
/// </summary>
internal sealed partial class TrustStore(TrustDatabase database, TimeProvider time, ILogger<TrustStore> logger) : IDisposable
{
    private const int MaxNameLength = 128;

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private readonly ConditionalWeakTable<X509Certificate2, CertificateKeys> _keys = new();
    private TrustSnapshot _snapshot = TrustSnapshot.Empty;

    public TrustSnapshot Current => Volatile.Read(ref _snapshot);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken);
        Log.TrustStoreLoaded(logger, Current.Trusted.Count, Current.Revoked.Count);
    }

    /// <summary>
    /// The fingerprint of a connection's client certificate. Kestrel hands every request on a connection the same
    /// certificate object, so the hashes are computed once per connection, not once per request.
    /// </summary>
    public string FingerprintOf(X509Certificate2 certificate) => KeysOf(certificate).Fingerprint;

    public (TrustDecision Decision, TrustedCertificate? Entry) Decide(X509Certificate2 certificate)
    {
        var keys = KeysOf(certificate);
        return Current.Decide(keys.Fingerprint, keys.PublicKey, time.GetUtcNow());
    }

    /// <summary>The problem detail for a <see cref="TrustDecision.Revoked"/> certificate: revoked itself, or made from a revoked key.</summary>
    public string DescribeRevocation(X509Certificate2 certificate)
    {
        var keys = KeysOf(certificate);
        var snapshot = Current;
        if (!snapshot.Revoked.TryGetValue(keys.Fingerprint, out var itself) && snapshot.RevokedKeys.TryGetValue(keys.PublicKey, out var sibling))
        {
            return $"The key of certificate {keys.Fingerprint} was revoked on {sibling.RevokedAt:u} (with certificate {sibling.Fingerprint}), so every certificate made from it is refused for good; this client needs a new key pair and certificate, added with 'aar trust add'.";
        }

        // Revoked in advance by fingerprint alone, the registry never saw the key: only this certificate is refused.
        var andKey = itself?.PublicKey is null ? "" : ", and so is every certificate made from its key";
        return $"Certificate {keys.Fingerprint} has been revoked and is refused for good{andKey}; this client needs a new key pair and certificate, added with 'aar trust add'.";
    }

    private CertificateKeys KeysOf(X509Certificate2 certificate) =>
        _keys.GetValue(certificate, static c => new CertificateKeys(Fingerprint.Of(c).Hex, CertificateFacts.PublicKeySha256(c)));

    /// <summary>
    /// Trusts a certificate. <paramref name="consumeTokenId"/> is set when an AMS enrols with a join token: the token
    /// is used up in the same transaction as the insert.
    /// </summary>
    public async Task<ApiResult<TrustChange>> AddAsync(AddTrustRequest request, CancellationToken cancellationToken, string? consumeTokenId = null)
    {
        if (!TrustRoleNames.TryParse(request.Role, out var role))
        {
            return Problem(400, ProblemTypes.InvalidRequest, "Unknown role", $"Role '{request.Role}' is unknown: use {TrustRoleNames.All}.");
        }

        var read = PemCertificateReader.Read(request.Certificate, "The input");
        if (!read.Succeeded)
        {
            return Problem(400, ProblemTypes.InvalidCertificate, "Not a certificate", read.Error!);
        }

        using var certificate = read.Certificate!;
        var fingerprint = Fingerprint.Of(certificate).Hex;
        var publicKey = CertificateFacts.PublicKeySha256(certificate);
        var now = time.GetUtcNow();
        // Trust is by exact fingerprint, never by chain: a self-signed certificate is trusted as itself whatever its
        // basicConstraints say (plain 'openssl req -x509' marks it CA:TRUE), as LXD accepts it. A CA certificate that
        // another CA issued is refused: trusting it would look like trusting what it issues, which it does not.
        if (CertificateFacts.IsCertificateAuthority(certificate) && !CertificateFacts.IsSelfSigned(certificate))
        {
            return Problem(400, ProblemTypes.InvalidCertificate, "CA certificate", $"Certificate {fingerprint} is a CA certificate (basicConstraints CA:TRUE) issued by '{certificate.Issuer}'; trust the client's own leaf or self-signed certificate, such as an AMS's <data>/registry/client.crt.", fingerprint);
        }

        var notAfter = CertificateFacts.NotAfter(certificate);
        if (notAfter < now)
        {
            return Problem(400, ProblemTypes.InvalidCertificate, "Expired certificate", $"Certificate {fingerprint} expired on {notAfter:u}; give the client a new certificate and add that one.", fingerprint);
        }

        var named = !string.IsNullOrWhiteSpace(request.Name);
        var name = named ? request.Name!.Trim() : CertificateFacts.CommonName(certificate);
        if (SafeText.Check(named ? "Name" : $"The certificate's common name (the default name; give another with --name)", name) is { } unsafeName)
        {
            return Problem(400, ProblemTypes.InvalidRequest, "Invalid name", unsafeName, fingerprint);
        }

        if (name.Length > MaxNameLength)
        {
            return Problem(400, ProblemTypes.InvalidRequest, "Invalid name", $"Name must be at most {MaxNameLength} printable characters.");
        }

        if (SafeText.Check($"The subject of certificate {fingerprint}", certificate.Subject) is { } unsafeSubject)
        {
            // The subject is listed by 'aar trust list' too.
            return Problem(400, ProblemTypes.InvalidCertificate, "Invalid certificate subject", unsafeSubject + " Make the client a certificate with a plain subject.", fingerprint);
        }

        var warnings = new List<string>();
        var notBefore = CertificateFacts.NotBefore(certificate);
        if (notBefore > now)
        {
            warnings.Add($"Certificate {fingerprint} is not valid until {notBefore:u}; requests with it are refused until then (check both machines' clocks).");
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await CatchUpAsync(cancellationToken);
            if (Current.Revoked.TryGetValue(fingerprint, out var tombstone))
            {
                return Problem(409, ProblemTypes.CertificateRevoked, "Certificate revoked", $"Certificate {fingerprint} was revoked on {tombstone.RevokedAt:u} and can never be trusted again; make a new key pair and certificate for that client and add it.", fingerprint);
            }

            if (Current.RevokedKeys.TryGetValue(publicKey, out var revokedKey))
            {
                return Problem(409, ProblemTypes.CertificateRevoked, "Key revoked", $"Certificate {fingerprint} is made from a key that was revoked on {revokedKey.RevokedAt:u} (with certificate {revokedKey.Fingerprint}); no certificate of that key can be trusted again. Make a new key pair for that client (for an AMS: 'amc registry certificate renew' there) and add its new certificate.", fingerprint);
            }

            if (Current.Trusted.TryGetValue(fingerprint, out var existing))
            {
                if (existing.Role != role)
                {
                    return Problem(409, ProblemTypes.RoleConflict, "Already trusted with another role", $"Certificate {fingerprint} is already trusted as {existing.Role.ToWire()} ('{existing.Name}'); to make it a {role.ToWire()}, run 'aar trust remove {fingerprint[..Fingerprint.MinimumPrefixLength]}' and add it again.", fingerprint);
                }

                if (consumeTokenId is not null && !await database.ConsumeTokenAsync(consumeTokenId, cancellationToken))
                {
                    return TokenGone();
                }

                return ApiResult.Ok(Change(existing, changed: false, $"Certificate {existing.Fingerprint} is already trusted as {existing.Role.ToWire()} ('{existing.Name}'); nothing changed."));
            }

            var entry = new TrustedCertificate(fingerprint, name, role, certificate.Subject, notBefore, notAfter, now);
            switch (await database.InsertAsync(entry, CertificateFacts.ToPem(certificate), publicKey, consumeTokenId, cancellationToken))
            {
                case InsertOutcome.TokenGone:
                    return TokenGone();
                case InsertOutcome.Revoked:
                    // Another node revoked it since the snapshot was read (an embedded database has one writer: this lock).
                    await ReloadAsync(cancellationToken);
                    return Problem(409, ProblemTypes.CertificateRevoked, "Certificate revoked", $"Certificate {fingerprint}, or its key, is revoked and can never be trusted again.", fingerprint);
                case InsertOutcome.AlreadyTrusted:
                    // Another node trusted it a moment ago (shared database only).
                    await ReloadAsync(cancellationToken);
                    return Current.Trusted.TryGetValue(fingerprint, out var winner)
                        ? ApiResult.Ok(Change(winner, changed: false, $"Certificate {winner.Fingerprint} is already trusted as {winner.Role.ToWire()} ('{winner.Name}'); nothing changed."))
                        : Problem(409, ProblemTypes.Conflict, "Trust changed concurrently", $"Certificate {fingerprint} was changed by another registry node at the same moment; run the command again.", fingerprint);
            }

            await ReloadAsync(cancellationToken);
            await AwaitEchoAsync(cancellationToken);
            var roleName = role.ToWire();
            Log.CertificateTrusted(logger, fingerprint, name, roleName);
            return ApiResult.Ok(Change(entry, changed: true, $"Trusted certificate {fingerprint} ('{name}') as {role.ToWire()}.") with { Warnings = warnings });
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<ApiResult<TrustChange>> RemoveAsync(string prefixText, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await CatchUpAsync(cancellationToken);
            var found = FindTrusted(prefixText);
            if (found.Problem is not null)
            {
                return ApiResult.Failed<TrustChange>(found.Problem);
            }

            var entry = found.Value!;
            await database.DeleteAsync(entry.Fingerprint, cancellationToken);
            await ReloadAsync(cancellationToken);
            await AwaitEchoAsync(cancellationToken);
            Log.CertificateRemoved(logger, entry.Fingerprint, entry.Name);
            return ApiResult.Ok(Change(entry, changed: true, $"Removed certificate {entry.Fingerprint} ('{entry.Name}'); it may be added again later."));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Revokes a trusted certificate named by prefix, or any certificate named by its full fingerprint (so an
    /// operator can block a compromised certificate that was already removed or never added).
    /// </summary>
    public async Task<ApiResult<TrustChange>> RevokeAsync(string prefixText, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await CatchUpAsync(cancellationToken);
            if (!FingerprintPrefix.TryParse(prefixText, out var prefix, out var error))
            {
                return Problem(400, ProblemTypes.InvalidRequest, "Invalid fingerprint", error!);
            }

            var revoked = Current.Revoked.Values.Where(r => prefix!.Matches(r.Fingerprint)).ToList();
            if (revoked.Count == 1 && !Current.Trusted.Keys.Any(prefix!.Matches))
            {
                var already = revoked[0];
                return ApiResult.Ok(new TrustChange { Changed = false, Fingerprint = already.Fingerprint, Name = already.Name, Message = $"Certificate {already.Fingerprint} was already revoked on {already.RevokedAt:u}; nothing changed." });
            }

            var found = FindTrusted(prefixText);
            RevokedEntry tombstone;
            if (found.Problem is null)
            {
                var entry = found.Value!;
                tombstone = new RevokedEntry { Fingerprint = entry.Fingerprint, Name = entry.Name, Subject = entry.Subject, RevokedAt = time.GetUtcNow() };
            }
            else if (prefix!.IsComplete && found.Problem.Type == ProblemTypes.UnknownFingerprint)
            {
                tombstone = new RevokedEntry { Fingerprint = prefix.Value, Name = "", Subject = "", RevokedAt = time.GetUtcNow() };
            }
            else
            {
                return ApiResult.Failed<TrustChange>(found.Problem.Type == ProblemTypes.UnknownFingerprint
                    ? found.Problem with { Detail = found.Problem.Detail + " To block a certificate that is not in the trust store, give its full 64-character fingerprint." }
                    : found.Problem);
            }

            var written = await database.RevokeAsync(tombstone, cancellationToken);
            await ReloadAsync(cancellationToken);
            await AwaitEchoAsync(cancellationToken);
            foreach (var entry in written)
            {
                Log.CertificateRevoked(logger, entry.Fingerprint, entry.Name, entry.PublicKey ?? "unknown");
            }

            var siblings = written.Count > 1 ? $" {written.Count - 1} other trusted certificate(s) made from the same key were revoked with it." : "";
            var key = written.Count == 0 || written[0].PublicKey is null ? "" : ", and so is every certificate made from its key";
            return ApiResult.Ok(new TrustChange { Changed = true, Fingerprint = tombstone.Fingerprint, Name = tombstone.Name, Message = $"Revoked certificate {tombstone.Fingerprint}; it is refused from now on and can never be added again{key}.{siblings}" });
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private ApiResult<TrustedCertificate> FindTrusted(string prefixText)
    {
        if (!FingerprintPrefix.TryParse(prefixText, out var prefix, out var error))
        {
            return ApiResult.Failed<TrustedCertificate>(new Problem { Type = ProblemTypes.InvalidRequest, Title = "Invalid fingerprint", Status = 400, Detail = error });
        }

        var matches = Current.Trusted.Values.Where(e => prefix!.Matches(e.Fingerprint)).ToList();
        return matches.Count switch
        {
            1 => ApiResult.Ok(matches[0]),
            0 => ApiResult.Failed<TrustedCertificate>(new Problem { Type = ProblemTypes.UnknownFingerprint, Title = "Unknown fingerprint", Status = 404, Detail = $"No trusted certificate has a fingerprint starting with {prefix}; see 'aar trust list'." }),
            _ => ApiResult.Failed<TrustedCertificate>(new Problem { Type = ProblemTypes.AmbiguousFingerprint, Title = "Ambiguous fingerprint", Status = 409, Detail = $"{matches.Count} trusted certificates start with {prefix} ({string.Join(", ", matches.Select(m => m.Fingerprint[..16] + "…"))}); give more characters." }),
        };
    }

    private static TrustChange Change(TrustedCertificate entry, bool changed, string message) => new()
    {
        Changed = changed,
        Fingerprint = entry.Fingerprint,
        Name = entry.Name,
        Role = entry.Role.ToWire(),
        Message = message,
    };

    private static ApiResult<TrustChange> TokenGone() =>
        Problem(403, ProblemTypes.InvalidJoinToken, "Join token not valid", "The join token is unknown or was already used; create a new one on the registry host with 'aar trust token create'.");

    private static ApiResult<TrustChange> Problem(int status, string type, string title, string detail, string? fingerprint = null) =>
        ApiResult.Failed<TrustChange>(new Problem { Type = type, Title = title, Status = status, Detail = detail, Fingerprint = fingerprint });

    public void Dispose()
    {
        _writeLock.Dispose();
        _reloadLock.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "A trust change was not confirmed within {Seconds} s: {Confirmed} of {Expected} other registry nodes confirmed it; the others are past the staleness bound and reload before their next request")]
        public static partial void TrustChangeUnconfirmed(ILogger logger, double seconds, int confirmed, string expected);

        [LoggerMessage(Level = LogLevel.Information, Message = "Trust store loaded: {Trusted} trusted, {Revoked} revoked certificates")]
        public static partial void TrustStoreLoaded(ILogger logger, int trusted, int revoked);

        [LoggerMessage(Level = LogLevel.Information, Message = "Trusted certificate {Fingerprint} ({Name}) as {Role}")]
        public static partial void CertificateTrusted(ILogger logger, string fingerprint, string name, string role);

        [LoggerMessage(Level = LogLevel.Information, Message = "Removed certificate {Fingerprint} ({Name}) from the trust store")]
        public static partial void CertificateRemoved(ILogger logger, string fingerprint, string name);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Revoked certificate {Fingerprint} ({Name}), public key {PublicKey}")]
        public static partial void CertificateRevoked(ILogger logger, string fingerprint, string name, string publicKey);
    }
}

/// <summary>The two hashes a request is decided on: the certificate's fingerprint and its public key's (SPKI SHA-256).</summary>
internal sealed record CertificateKeys(string Fingerprint, string PublicKey);
