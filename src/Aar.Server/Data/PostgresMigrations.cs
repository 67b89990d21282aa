using Aar.Hosting;

namespace Aar.Server.Data;

/// <summary>
/// The PostgreSQL schema as a list of forward migrations, the counterpart of <see cref="SqliteMigrations"/>: the
/// index + 1 is the version stored in <c>schema_version</c>. Append, never edit. The same tables and columns as
/// SQLite, so the data-access SQL is shared; times stay ISO 8601 UTC text (see <see cref="DbTime"/>). Every text
/// column uses the "C" collation: names, ids and fingerprints compare and sort ordinally, as in SQLite and in C#.
/// </summary>
internal static class PostgresMigrations
{
    public static readonly string[] Steps =
    [
        // 1: everything SQLite has after its migration 4 (trust, join tokens, catalog, upload sessions including the
        // resumable-hash state and the blob store's staging JSON).
        """
        CREATE TABLE trusted_certificates (
            fingerprint text COLLATE "C" PRIMARY KEY CHECK (length(fingerprint) = 64),
            name        text COLLATE "C" NOT NULL,
            role        text COLLATE "C" NOT NULL CHECK (role IN ('client', 'publisher')),
            subject     text COLLATE "C" NOT NULL,
            not_before  text COLLATE "C" NOT NULL,
            not_after   text COLLATE "C" NOT NULL,
            added_at    text COLLATE "C" NOT NULL,
            certificate text COLLATE "C" NOT NULL
        );
        CREATE TABLE revoked_certificates (
            fingerprint text COLLATE "C" PRIMARY KEY CHECK (length(fingerprint) = 64),
            name        text COLLATE "C" NOT NULL,
            subject     text COLLATE "C" NOT NULL,
            revoked_at  text COLLATE "C" NOT NULL
        );
        CREATE TABLE join_tokens (
            id          text COLLATE "C" PRIMARY KEY,
            secret_hash text COLLATE "C" NOT NULL UNIQUE,
            role        text COLLATE "C" NOT NULL CHECK (role IN ('client', 'publisher')),
            name        text COLLATE "C" NOT NULL,
            created_at  text COLLATE "C" NOT NULL,
            expires_at  text COLLATE "C" NOT NULL
        );
        CREATE TABLE registry_state (
            id         integer PRIMARY KEY CHECK (id = 1),
            generation bigint NOT NULL
        );
        INSERT INTO registry_state (id, generation) VALUES (1, 0);
        CREATE TABLE applications (
            name         text COLLATE "C" NOT NULL,
            architecture text COLLATE "C" NOT NULL,
            owner        text COLLATE "C" NOT NULL CHECK (length(owner) = 64),
            created_at   text COLLATE "C" NOT NULL,
            PRIMARY KEY (name, architecture)
        );
        CREATE TABLE versions (
            name         text COLLATE "C" NOT NULL,
            architecture text COLLATE "C" NOT NULL,
            version      integer NOT NULL CHECK (version >= 0),
            digest       text COLLATE "C" NOT NULL CHECK (length(digest) = 71),
            size         bigint NOT NULL CHECK (size >= 0),
            manifest     text COLLATE "C" NOT NULL,
            tags         text COLLATE "C" NOT NULL,
            created_at   text COLLATE "C" NOT NULL,
            publisher    text COLLATE "C" NOT NULL,
            generation   bigint NOT NULL,
            PRIMARY KEY (name, architecture, version),
            FOREIGN KEY (name, architecture) REFERENCES applications (name, architecture)
        );
        CREATE INDEX versions_digest ON versions (digest);
        CREATE TABLE deletions (
            generation   bigint PRIMARY KEY,
            name         text COLLATE "C" NOT NULL,
            architecture text COLLATE "C" NOT NULL,
            version      integer,
            deleted_at   text COLLATE "C" NOT NULL,
            deleted_by   text COLLATE "C" NOT NULL
        );
        CREATE TABLE upload_sessions (
            id             text COLLATE "C" PRIMARY KEY,
            publisher      text COLLATE "C" NOT NULL,
            received       bigint NOT NULL CHECK (received >= 0),
            created_at     text COLLATE "C" NOT NULL,
            last_active_at text COLLATE "C" NOT NULL,
            hash_state     bytea NULL,
            staging        text COLLATE "C" NULL
        );
        """,

        // 2: as SQLite's 5: the public key (SPKI SHA-256) of a revoked certificate, so its key stays refused.
        """
        ALTER TABLE revoked_certificates ADD COLUMN public_key text COLLATE "C" NULL CHECK (public_key IS NULL OR length(public_key) = 64);
        CREATE INDEX revoked_certificates_public_key ON revoked_certificates (public_key);
        """,

        // 3: the tombstones of version numbers (SQLite's migration 6): a number keeps the digest it first named.
        """
        CREATE TABLE version_numbers (
            name         text COLLATE "C" NOT NULL,
            architecture text COLLATE "C" NOT NULL,
            version      integer NOT NULL CHECK (version >= 0),
            digest       text COLLATE "C" NOT NULL CHECK (length(digest) = 71),
            PRIMARY KEY (name, architecture, version)
        );
        INSERT INTO version_numbers (name, architecture, version, digest) SELECT name, architecture, version, digest FROM versions;
        """,

        // 4: blobs a scrub found damaged or missing (SQLite's migration 7).
        """
        CREATE TABLE missing_blobs (
            digest   text COLLATE "C" PRIMARY KEY CHECK (length(digest) = 71),
            reason   text COLLATE "C" NOT NULL CHECK (reason IN ('damaged', 'missing')),
            found_at text COLLATE "C" NOT NULL
        );
        """,

        // 5: the signing key's history (SQLite's migration 8).
        """
        CREATE TABLE signing_keys (
            sequence   integer PRIMARY KEY CHECK (sequence >= 0),
            key_id     text COLLATE "C" NOT NULL UNIQUE CHECK (length(key_id) = 64),
            public_key text COLLATE "C" NOT NULL,
            rotation   text COLLATE "C" NULL CHECK ((sequence = 0) = (rotation IS NULL)),
            created_at text COLLATE "C" NOT NULL
        );
        """,

        // 6: as SQLite's 9: the viewer and operator roles, and each known certificate's last activity.
        """
        ALTER TABLE trusted_certificates DROP CONSTRAINT trusted_certificates_role_check;
        ALTER TABLE trusted_certificates ADD CONSTRAINT trusted_certificates_role_check CHECK (role IN ('client', 'publisher', 'viewer', 'operator'));
        CREATE TABLE client_activity (
            fingerprint  text COLLATE "C" PRIMARY KEY CHECK (length(fingerprint) = 64),
            last_seen    text COLLATE "C",
            generation   bigint,
            refused_at   text COLLATE "C",
            refusal      text COLLATE "C",
            refusals     bigint NOT NULL DEFAULT 0
        );
        """,

        // 7: as SQLite's 10: where each stored chunk lies in a stored blob, for delta uploads.
        """
        CREATE TABLE chunk_locations (
            hash   bytea PRIMARY KEY CHECK (length(hash) = 32),
            blob   text COLLATE "C" NOT NULL,
            start  bigint NOT NULL CHECK (start >= 0),
            length bigint NOT NULL CHECK (length > 0)
        );
        CREATE INDEX chunk_locations_blob ON chunk_locations (blob);
        CREATE TABLE chunk_indexed_blobs (
            blob       text COLLATE "C" PRIMARY KEY,
            indexed_at text COLLATE "C" NOT NULL
        );
        """,
    ];
}
