namespace Aar.Server.Data;

/// <summary>
/// The SQLite schema as a list of forward migrations; the index + 1 is the schema version stored in
/// <c>schema_version</c>. Append, never edit: a released step has already run on operators' databases.
/// </summary>
internal static class Migrations
{
    public static readonly string[] Steps =
    [
        // 1: the trust store. Fingerprints are 64 lower-case hex chars; times are ISO 8601 UTC text (sortable).
        """
        CREATE TABLE trusted_certificates (
            fingerprint TEXT PRIMARY KEY NOT NULL CHECK (length(fingerprint) = 64),
            name        TEXT NOT NULL,
            role        TEXT NOT NULL CHECK (role IN ('client', 'publisher')),
            subject     TEXT NOT NULL,
            not_before  TEXT NOT NULL,
            not_after   TEXT NOT NULL,
            added_at    TEXT NOT NULL,
            certificate TEXT NOT NULL
        );
        CREATE TABLE revoked_certificates (
            fingerprint TEXT PRIMARY KEY NOT NULL CHECK (length(fingerprint) = 64),
            name        TEXT NOT NULL,
            subject     TEXT NOT NULL,
            revoked_at  TEXT NOT NULL
        );
        """,

        // 2: join tokens for one-step enrolment. Only the SHA-256 of the secret is stored; a used token is deleted.
        """
        CREATE TABLE join_tokens (
            id          TEXT PRIMARY KEY NOT NULL,
            secret_hash TEXT NOT NULL UNIQUE,
            role        TEXT NOT NULL CHECK (role IN ('client', 'publisher')),
            name        TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            expires_at  TEXT NOT NULL
        );
        """,
    ];
}
