-- The plugin registry: WebAssembly components with their kind, version, limits and state,
-- and the outcome of every call.
CREATE TABLE plugins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    wasm BLOB NOT NULL,
    size_bytes INTEGER NOT NULL,
    fuel INTEGER NOT NULL,
    memory_bytes INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    input_bytes INTEGER NOT NULL,
    output_bytes INTEGER NOT NULL,
    host_calls INTEGER NOT NULL,
    allowed_hosts TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1,
    registered_by TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX uq_plugins_version ON plugins (name, version);

CREATE TABLE plugin_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plugin_id INTEGER NOT NULL,
    plugin_name TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    ticket_id INTEGER NOT NULL DEFAULT 0,
    purpose TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    fuel_used INTEGER NOT NULL DEFAULT 0,
    peak_memory INTEGER NOT NULL DEFAULT 0,
    wall_micros INTEGER NOT NULL DEFAULT 0,
    gmt_created TEXT NOT NULL
);
CREATE INDEX idx_plugin_runs_plugin ON plugin_runs (plugin_id, id);
