namespace Ams.Daemon.Data;

/// <summary>
/// The SQLite schema as forward migrations; index + 1 is the version stored in <c>schema_version</c>.
/// Append, never edit: a released step has already run on operators' databases.
/// </summary>
internal static class Migrations
{
    public static readonly string[] Steps =
    [
        // 1: configuration, the registry trust list, applications and their versions. Times are ISO 8601 UTC text.
        """
        CREATE TABLE config (
            key   TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        );
        CREATE TABLE trusted_certificates (
            fingerprint TEXT PRIMARY KEY NOT NULL CHECK (length(fingerprint) = 64),
            common_name TEXT NOT NULL,
            not_before  TEXT NOT NULL,
            not_after   TEXT NOT NULL,
            added_at    TEXT NOT NULL,
            certificate TEXT NOT NULL
        );
        CREATE TABLE applications (
            id                 TEXT PRIMARY KEY NOT NULL,
            name               TEXT NOT NULL UNIQUE,
            created_at         TEXT NOT NULL,
            updated_at         TEXT NOT NULL,
            next_version       INTEGER NOT NULL DEFAULT 0,
            immutable          INTEGER NOT NULL DEFAULT 0,
            origin_url         TEXT,
            origin_fingerprint TEXT
        );
        CREATE TABLE versions (
            application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
            number         INTEGER NOT NULL,
            status         TEXT NOT NULL CHECK (status IN ('initializing', 'ready', 'error')),
            error_message  TEXT,
            published      INTEGER NOT NULL DEFAULT 0,
            created_at     TEXT NOT NULL,
            sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
            size           INTEGER NOT NULL,
            manifest       TEXT NOT NULL,
            PRIMARY KEY (application_id, number)
        );
        CREATE INDEX versions_sha256 ON versions (sha256);
        """,

        // 2: registry sync state: the generation a pull reached (for the registry it was reached on), and upload
        // sessions to resume after a restart. Key/value because each entry is read and written on its own.
        """
        CREATE TABLE registry_state (
            key   TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        );
        """,

        // 3: registry versions this AMS refused (invalid package, digest or size mismatch, too large), with the
        // registry's digest, so a pull does not download them again until that digest changes. Rejections used to be
        // kept as imported versions in status 'error'; they move here, and the applications they alone made go.
        """
        CREATE TABLE rejected_versions (
            name        TEXT NOT NULL,
            number      INTEGER NOT NULL,
            registry    TEXT NOT NULL,
            digest      TEXT NOT NULL,
            size        INTEGER NOT NULL,
            reason      TEXT NOT NULL,
            rejected_at TEXT NOT NULL,
            PRIMARY KEY (name, number)
        );
        INSERT INTO rejected_versions (name, number, registry, digest, size, reason, rejected_at)
            SELECT a.name, v.number, coalesce((SELECT value FROM registry_state WHERE key = 'pull.registry'), ''),
                   'sha256:' || v.sha256, v.size, coalesce(v.error_message, 'the package was refused'), v.created_at
            FROM versions v JOIN applications a ON a.id = v.application_id
            WHERE a.immutable = 1 AND v.status = 'error';
        DELETE FROM versions WHERE status = 'error' AND application_id IN (SELECT id FROM applications WHERE immutable = 1);
        DELETE FROM applications WHERE immutable = 1 AND NOT EXISTS (SELECT 1 FROM versions WHERE application_id = applications.id);
        """,

        // 4: deletions of this AMS's own applications and versions (number -1: the whole application), written in the
        // same transaction as the delete. A push pass removes from the registry only what is recorded here (or kept
        // unpublished), so a replaced or restored database can never empty the registry, while a deliberate delete,
        // the last application included, always reaches it. A record goes once the registry no longer lists it.
        """
        CREATE TABLE local_deletions (
            name       TEXT NOT NULL,
            number     INTEGER NOT NULL,
            deleted_at TEXT NOT NULL,
            PRIMARY KEY (name, number)
        );
        """,
    ];
}
