namespace Aar.Server.Data;

/// <summary>
/// The SQLite schema as a list of forward migrations; the index + 1 is the schema version stored in
/// <c>schema_version</c>. Append, never edit: a released step has already run on operators' databases.
/// </summary>
internal static class SqliteMigrations
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

        // 3: applications, versions, deletion records, upload sessions. The generation is one counter bumped by
        // every change to applications or versions; a version and a deletion record carry the generation that made
        // them, so pollers can ask "what changed since G". Digests are "sha256:" + 64 hex chars.
        """
        CREATE TABLE registry_state (
            id         INTEGER PRIMARY KEY CHECK (id = 1),
            generation INTEGER NOT NULL
        );
        INSERT INTO registry_state (id, generation) VALUES (1, 0);
        CREATE TABLE applications (
            name         TEXT NOT NULL,
            architecture TEXT NOT NULL,
            owner        TEXT NOT NULL CHECK (length(owner) = 64),
            created_at   TEXT NOT NULL,
            PRIMARY KEY (name, architecture)
        );
        CREATE TABLE versions (
            name         TEXT NOT NULL,
            architecture TEXT NOT NULL,
            version      INTEGER NOT NULL CHECK (version >= 0),
            digest       TEXT NOT NULL CHECK (length(digest) = 71),
            size         INTEGER NOT NULL CHECK (size >= 0),
            manifest     TEXT NOT NULL,
            tags         TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            publisher    TEXT NOT NULL,
            generation   INTEGER NOT NULL,
            PRIMARY KEY (name, architecture, version),
            FOREIGN KEY (name, architecture) REFERENCES applications (name, architecture)
        );
        CREATE INDEX versions_digest ON versions (digest);
        CREATE TABLE deletions (
            generation   INTEGER PRIMARY KEY,
            name         TEXT NOT NULL,
            architecture TEXT NOT NULL,
            version      INTEGER,
            deleted_at   TEXT NOT NULL,
            deleted_by   TEXT NOT NULL
        );
        CREATE TABLE upload_sessions (
            id             TEXT PRIMARY KEY NOT NULL,
            publisher      TEXT NOT NULL,
            received       INTEGER NOT NULL CHECK (received >= 0),
            created_at     TEXT NOT NULL,
            last_active_at TEXT NOT NULL
        );
        """,

        // 4: upload sessions that survive the death of the node writing them. hash_state is the SHA-256 running
        // state after `received` bytes (ResumableSha256), so no node re-reads the bytes; staging is the blob store's
        // own JSON for the session (for S3: multipart upload id, part ETags, tail object). Both nullable: rows
        // from before keep working (the file store re-hashes its partial file). PostgreSQL adds the same columns.
        """
        ALTER TABLE upload_sessions ADD COLUMN hash_state BLOB;
        ALTER TABLE upload_sessions ADD COLUMN staging TEXT;
        """,

        // 5: a revocation also records the certificate's public key (SHA-256 of its SubjectPublicKeyInfo), so a new
        // certificate made from a revoked key is refused too. NULL for earlier revocations and for certificates revoked
        // by fingerprint alone (the registry never held them). PostgreSQL adds the same column.
        """
        ALTER TABLE revoked_certificates ADD COLUMN public_key TEXT CHECK (public_key IS NULL OR length(public_key) = 64);
        CREATE INDEX revoked_certificates_public_key ON revoked_certificates (public_key);
        """,

        // 6: every version number that ever named a digest, kept when the version is deleted (a tombstone), so a
        // number can be restored with the same digest but never reused for another one. Filled from the versions
        // that exist now; numbers deleted before this step left no digest behind.
        """
        CREATE TABLE version_numbers (
            name         TEXT NOT NULL,
            architecture TEXT NOT NULL,
            version      INTEGER NOT NULL CHECK (version >= 0),
            digest       TEXT NOT NULL CHECK (length(digest) = 71),
            PRIMARY KEY (name, architecture, version)
        );
        INSERT INTO version_numbers (name, architecture, version, digest) SELECT name, architecture, version, digest FROM versions;
        """,

        // 7: blobs a scrub found damaged (and moved to quarantine) or missing while a version names them. Versions
        // naming one are listed with "blob_missing": true, so their publisher uploads the blob again; the row goes
        // once the blob is back.
        """
        CREATE TABLE missing_blobs (
            digest   TEXT PRIMARY KEY NOT NULL CHECK (length(digest) = 71),
            reason   TEXT NOT NULL CHECK (reason IN ('damaged', 'missing')),
            found_at TEXT NOT NULL
        );
        """,

        // 8: the signing key's history, shared by every node: sequence 0 is the first key, each later row a key
        // introduced by a rotation (its DSSE envelope, signed by the key before and by itself). The newest row is the
        // key listings are signed with. PostgreSQL adds the same table.
        """
        CREATE TABLE signing_keys (
            sequence   INTEGER PRIMARY KEY CHECK (sequence >= 0),
            key_id     TEXT NOT NULL UNIQUE CHECK (length(key_id) = 64),
            public_key TEXT NOT NULL,
            rotation   TEXT CHECK ((sequence = 0) = (rotation IS NULL)),
            created_at TEXT NOT NULL
        );
        """,

        // 9: the roles of people's browsers (viewer, operator: the dashboard), and what each known certificate did
        // last. SQLite cannot change a CHECK constraint, so the trust table is rebuilt with the same rows. Activity is
        // written in batches every few seconds (ClientActivity), never per request; rows are kept only for trusted and
        // revoked certificates, so an unknown certificate cannot grow the table.
        """
        CREATE TABLE trusted_certificates_new (
            fingerprint TEXT PRIMARY KEY NOT NULL CHECK (length(fingerprint) = 64),
            name        TEXT NOT NULL,
            role        TEXT NOT NULL CHECK (role IN ('client', 'publisher', 'viewer', 'operator')),
            subject     TEXT NOT NULL,
            not_before  TEXT NOT NULL,
            not_after   TEXT NOT NULL,
            added_at    TEXT NOT NULL,
            certificate TEXT NOT NULL
        );
        INSERT INTO trusted_certificates_new SELECT fingerprint, name, role, subject, not_before, not_after, added_at, certificate FROM trusted_certificates;
        DROP TABLE trusted_certificates;
        ALTER TABLE trusted_certificates_new RENAME TO trusted_certificates;
        CREATE TABLE client_activity (
            fingerprint  TEXT PRIMARY KEY NOT NULL CHECK (length(fingerprint) = 64),
            last_seen    TEXT,
            generation   INTEGER,
            refused_at   TEXT,
            refusal      TEXT,
            refusals     INTEGER NOT NULL DEFAULT 0
        );
        """,

        // 10: where each stored chunk (content-defined, by SHA-256) lies in a stored blob, so a publisher's delta upload
        // can name bytes the registry holds instead of sending them. One location per chunk is enough (the first blob
        // that had it); rows of a blob that is gone are dropped when a lookup meets them. chunk_indexed_blobs says
        // which blobs are recorded, so older blobs are filled in once, in the background.
        """
        CREATE TABLE chunk_locations (
            hash   BLOB PRIMARY KEY NOT NULL CHECK (length(hash) = 32),
            blob   TEXT NOT NULL,
            start  INTEGER NOT NULL CHECK (start >= 0),
            length INTEGER NOT NULL CHECK (length > 0)
        ) WITHOUT ROWID;
        CREATE INDEX chunk_locations_blob ON chunk_locations (blob);
        CREATE TABLE chunk_indexed_blobs (
            blob       TEXT PRIMARY KEY NOT NULL,
            indexed_at TEXT NOT NULL
        );
        """,
    ];
}
