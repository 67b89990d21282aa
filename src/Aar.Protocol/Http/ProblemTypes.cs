namespace Aar.Protocol.Http;

/// <summary>The stable problem <c>type</c> values. docs/api.md lists each with its status and meaning.</summary>
public static class ProblemTypes
{
    public const string UntrustedCertificate = "untrusted-certificate";
    public const string RevokedCertificate = "revoked-certificate";
    public const string ExpiredCertificate = "expired-certificate";
    public const string CertificateNotYetValid = "certificate-not-yet-valid";
    public const string PublisherRoleRequired = "publisher-role-required";
    public const string DashboardRoleRequired = "dashboard-role-required";
    public const string OperatorRoleRequired = "operator-role-required";
    public const string CrossSiteRequest = "cross-site-request";
    public const string NotFound = "not-found";
    public const string InvalidCertificate = "invalid-certificate";
    public const string InvalidRequest = "invalid-request";
    public const string AlreadyRevoked = "already-revoked";
    public const string CertificateRevoked = "certificate-revoked";
    public const string RoleConflict = "role-conflict";
    public const string AmbiguousFingerprint = "ambiguous-fingerprint";
    public const string UnknownFingerprint = "unknown-fingerprint";
    public const string Conflict = "conflict";
    public const string InvalidJoinToken = "invalid-join-token";
    public const string ExpiredJoinToken = "expired-join-token";
    public const string MethodNotAllowed = "method-not-allowed";
    public const string BodyTooLarge = "body-too-large";
    public const string Internal = "internal-error";
    public const string DatabaseBusy = "database-busy";
    public const string DatabaseUnavailable = "database-unavailable";
    public const string StorageUnavailable = "storage-unavailable";
    public const string TooManyRequests = "too-many-requests";

    /// <summary>503: this registry node's signing key is not the registry's current one (docs/scale-out.md).</summary>
    public const string SigningKeyNotCurrent = "signing-key-not-current";

    // Storage and transfer (docs/api.md "Blobs", "Uploads", "Applications").
    public const string InvalidDigest = "invalid-digest";
    public const string DigestMismatch = "digest-mismatch";
    public const string SizeMismatch = "size-mismatch";
    public const string BlobUnknown = "blob-unknown";
    public const string LengthRequired = "length-required";
    public const string IncompleteBody = "incomplete-body";
    public const string InvalidContentRange = "invalid-content-range";
    public const string UploadOffsetMismatch = "upload-offset-mismatch";
    public const string UploadUnknown = "upload-unknown";
    public const string UploadExpired = "upload-expired";
    public const string UploadBusy = "upload-busy";
    public const string TooManyUploads = "too-many-uploads";
    public const string UploadQuotaExceeded = "upload-quota-exceeded";
    public const string CopySourceUnknown = "copy-source-unknown";
    public const string RangeNotSatisfiable = "range-not-satisfiable";
    public const string InvalidName = "invalid-name";
    public const string InvalidArchitecture = "invalid-architecture";
    public const string InvalidVersion = "invalid-version";
    public const string InvalidManifest = "invalid-manifest";
    public const string VersionConflict = "version-conflict";
    public const string ApplicationOwned = "application-owned";
    public const string ApplicationNotFound = "application-not-found";
    public const string VersionNotFound = "version-not-found";

    /// <summary>Client-side only: the daemon could not be reached at all.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>
    /// The AMS could not get an answer it can use from its registry (unreachable, refused this AMS's certificate,
    /// failed the pinned-fingerprint check, or failed): the AMS answers 502 and the CLI exits 2.
    /// </summary>
    public const string RegistryUnreachable = "registry-unreachable";
}
