-- The durable job queue: timers, hooks and notices are rows here, claimed by any grebe process
-- with a lease, so they survive restarts and run once even with several processes.
CREATE TABLE jobs (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind VARCHAR(50) NOT NULL,
    -- At most one job per key: re-arming a timer replaces it instead of adding one.
    dedup_key VARCHAR(191) NULL,
    payload MEDIUMTEXT NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    due_at DATETIME(3) NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL DEFAULT 8,
    lease_owner VARCHAR(100) NOT NULL DEFAULT '',
    lease_until DATETIME(3) NULL,
    last_error TEXT NOT NULL,
    outcome TEXT NOT NULL,
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    UNIQUE KEY uq_jobs_dedup (dedup_key),
    KEY idx_jobs_due (status, due_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
