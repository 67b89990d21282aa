using Aar.Protocol.Certificates;
using Aar.Protocol.Management;
using Ams.Daemon.Api;
using Ams.Daemon.Data;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Trust;

/// <summary>
/// The certificates this AMS trusts when it talks to a registry (<c>amc config trust …</c>): normally the
/// registry's server certificate, whose fingerprint <c>registry.fingerprint</c> pins.
/// </summary>
internal sealed partial class TrustStore(AmsDatabase database, TimeProvider time, ILogger<TrustStore> logger) : IDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile IReadOnlyList<TrustedCertificate> _entries = [];

    public IReadOnlyList<TrustedCertificate> Entries => _entries;

    public IReadOnlyCollection<string> Fingerprints => _entries.Select(e => e.Fingerprint).ToList();

    public async Task LoadAsync(CancellationToken cancellationToken) => _entries = await TrustDatabase.LoadAsync(database, cancellationToken);

    /// <summary>The PEM of a trusted certificate (for the sync feature's pinned TLS); null when it is not trusted.</summary>
    public Task<string?> GetPemAsync(string fingerprint, CancellationToken cancellationToken) =>
        TrustDatabase.GetPemAsync(database, fingerprint, cancellationToken);

    public async Task<Result<TrustedCertificate>> AddAsync(string pem, CancellationToken cancellationToken)
    {
        var read = PemCertificateReader.Read(pem, "The certificate input");
        if (!read.Succeeded)
        {
            return ApiProblem.BadRequest(read.Error!);
        }

        using var certificate = read.Certificate!;
        var entry = new TrustedCertificate
        {
            Fingerprint = Fingerprint.Of(certificate).Hex,
            CommonName = CertificateFacts.CommonName(certificate),
            IssueDate = CertificateFacts.NotBefore(certificate),
            ExpiryDate = CertificateFacts.NotAfter(certificate),
            AddedAt = time.GetUtcNow(),
        };
        if (entry.ExpiryDate < entry.AddedAt)
        {
            return ApiProblem.BadRequest($"Certificate {entry.Fingerprint} ('{entry.CommonName}') expired on {entry.ExpiryDate:u}; get the registry's current certificate and add that one.");
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (!await TrustDatabase.InsertAsync(database, entry, CertificateFacts.ToPem(certificate), cancellationToken))
            {
                // A repeat is a success that changes nothing (the same rule as the registry's 'aar trust add').
                return _entries.Single(e => e.Fingerprint == entry.Fingerprint) with { AlreadyTrusted = true };
            }

            _entries = [.. _entries, entry];
            Log.CertificateTrusted(logger, entry.Fingerprint, entry.CommonName);
            return entry;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Finds one certificate by fingerprint prefix (at least 12 characters) or by common name.</summary>
    public Result<TrustedCertificate> Find(string fingerprintOrName)
    {
        var entries = _entries;
        var byName = entries.Where(e => string.Equals(e.CommonName, fingerprintOrName, StringComparison.Ordinal)).ToList();
        var byPrefix = FingerprintPrefix.TryParse(fingerprintOrName, out var prefix, out _)
            ? entries.Where(e => prefix!.Matches(e.Fingerprint)).ToList()
            : [];
        var matches = byPrefix.Union(byName).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => ApiProblem.NotFound($"No certificate in the trust list has the fingerprint or name '{fingerprintOrName}'; see 'amc config trust list'."),
            _ => ApiProblem.Conflict($"'{fingerprintOrName}' matches {matches.Count} trusted certificates; give the full fingerprint."),
        };
    }

    public async Task<Result<TrustedCertificate>> RemoveAsync(string fingerprint, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var entry = _entries.FirstOrDefault(e => e.Fingerprint == fingerprint);
            if (entry is null || !await TrustDatabase.DeleteAsync(database, fingerprint, cancellationToken))
            {
                return ApiProblem.NotFound($"Certificate {fingerprint} is not in the trust list; see 'amc config trust list'.");
            }

            _entries = _entries.Where(e => e.Fingerprint != fingerprint).ToList();
            Log.CertificateRemoved(logger, entry.Fingerprint, entry.CommonName);
            return entry;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Dispose() => _writeLock.Dispose();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Trusted certificate {Fingerprint} ({Name}) added")]
        public static partial void CertificateTrusted(ILogger logger, string fingerprint, string name);

        [LoggerMessage(Level = LogLevel.Information, Message = "Trusted certificate {Fingerprint} ({Name}) removed")]
        public static partial void CertificateRemoved(ILogger logger, string fingerprint, string name);
    }
}
