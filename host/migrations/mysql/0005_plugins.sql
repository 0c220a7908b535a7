-- The plugin registry: WebAssembly components with their kind, version, limits and state,
-- and the outcome of every call.
CREATE TABLE plugins (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    kind VARCHAR(40) NOT NULL,
    version VARCHAR(40) NOT NULL,
    content_hash CHAR(64) NOT NULL,
    wasm LONGBLOB NOT NULL,
    size_bytes BIGINT NOT NULL,
    fuel BIGINT NOT NULL,
    memory_bytes BIGINT NOT NULL,
    time_ms BIGINT NOT NULL,
    input_bytes BIGINT NOT NULL,
    output_bytes BIGINT NOT NULL,
    host_calls BIGINT NOT NULL,
    allowed_hosts TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT 1,
    registered_by VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    UNIQUE KEY uq_plugins_version (name, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE plugin_runs (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    plugin_id BIGINT NOT NULL,
    plugin_name VARCHAR(100) NOT NULL,
    plugin_version VARCHAR(40) NOT NULL,
    ticket_id BIGINT NOT NULL DEFAULT 0,
    purpose VARCHAR(255) NOT NULL DEFAULT '',
    outcome VARCHAR(20) NOT NULL,
    error TEXT NOT NULL,
    fuel_used BIGINT NOT NULL DEFAULT 0,
    peak_memory BIGINT NOT NULL DEFAULT 0,
    wall_micros BIGINT NOT NULL DEFAULT 0,
    gmt_created DATETIME NOT NULL,
    KEY idx_plugin_runs_plugin (plugin_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
