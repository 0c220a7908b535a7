-- Directory sync matches users, departments and roles by the id they have in the company's own
-- directory; '' means none. Unique where set, so one external entry is one row: MySQL has no
-- partial indexes, so the unique key is on a generated column that is NULL for ''.
ALTER TABLE users
    ADD COLUMN external_id VARCHAR(100) NOT NULL DEFAULT '',
    ADD COLUMN external_key VARCHAR(100) GENERATED ALWAYS AS (NULLIF(external_id, '')) STORED,
    ADD UNIQUE KEY uq_users_external_id (external_key);
ALTER TABLE depts
    ADD COLUMN external_id VARCHAR(100) NOT NULL DEFAULT '',
    ADD COLUMN external_key VARCHAR(100) GENERATED ALWAYS AS (NULLIF(external_id, '')) STORED,
    ADD UNIQUE KEY uq_depts_external_id (external_key);
ALTER TABLE roles
    ADD COLUMN external_id VARCHAR(100) NOT NULL DEFAULT '',
    ADD COLUMN external_key VARCHAR(100) GENERATED ALWAYS AS (NULLIF(external_id, '')) STORED,
    ADD UNIQUE KEY uq_roles_external_id (external_key);
-- Finding the tickets that still hold a value of a field before the field is removed.
CREATE INDEX idx_ticket_field_values_key ON ticket_field_values (field_key, ticket_id);
