-- Schema version 2: the administration of a running server (plugins, tokens). Frozen once released.

-- Installed plugins (R17). The component's bytes live here so that a backup of the database restores
-- the plugins exactly as they were; `digest` is the SHA-256 of `component`, the plugin's identity.
-- `settings` is the JSON of runtime::PluginSettings (limits and configuration).
CREATE TABLE plugins (
    name         TEXT PRIMARY KEY,
    version      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    digest       TEXT NOT NULL,
    component    BLOB NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 0,
    settings     TEXT NOT NULL,
    bundled      INTEGER NOT NULL DEFAULT 0,
    installed_at INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- Bundled plugin versions this installation has already installed once: a bundled plugin an admin
-- deleted is not reinstalled at the next start, only when the binary embeds new bytes for it.
CREATE TABLE bundled_plugins_seen (
    digest TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    at     INTEGER NOT NULL
) WITHOUT ROWID;

-- API tokens (R3, R16): only the SHA-256 of the token is stored. The name is the actor in the audit
-- log, so a revoked token keeps its row and its name is never given to another token.
CREATE TABLE api_tokens (
    name       TEXT PRIMARY KEY,
    role       INTEGER NOT NULL,
    hash       BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at INTEGER
);
