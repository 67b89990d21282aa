namespace Aar.Server.Tls;

/// <summary>Where the server certificate lives and what a new one names, as the composition root hands it to <see cref="ServerCertificateProvider"/>.</summary>
internal sealed record TlsOptions
{
    /// <summary><c>&lt;data&gt;/certs/server.crt</c>.</summary>
    public required string CertificatePath { get; init; }

    /// <summary><c>&lt;data&gt;/certs/server.key</c> (mode 0600).</summary>
    public required string KeyPath { get; init; }

    /// <summary>Extra subject alternative names (<c>--san</c>) for a newly generated certificate.</summary>
    public IReadOnlyList<string> ExtraSubjectAlternativeNames { get; init; } = [];
}
