-- A counter every change of configuration (workflows, states, transitions, fields, notices,
-- app tokens, the directory) increments in its transaction. Each process caches configuration
-- rows and reads this counter once per request and per batch of jobs, so a change made by
-- another process, or by hand with SQL that increments the counter, is seen at once.
CREATE TABLE config_generation (
    id INTEGER PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO config_generation (id, generation) VALUES (1, 0);
