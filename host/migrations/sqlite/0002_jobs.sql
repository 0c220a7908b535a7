-- The durable job queue: timers, hooks and notices are rows here, claimed by any grebe process
-- with a lease, so they survive restarts and run once even with several processes.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    -- At most one job per key: re-arming a timer replaces it instead of adding one.
    dedup_key TEXT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    due_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 8,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until TEXT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX uq_jobs_dedup ON jobs (dedup_key);
CREATE INDEX idx_jobs_due ON jobs (status, due_at);
