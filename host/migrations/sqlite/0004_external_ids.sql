-- Directory sync matches users, departments and roles by the id they have in the company's own
-- directory; '' means none. Unique where set, so one external entry is one row.
ALTER TABLE users ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE depts ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE roles ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX uq_users_external_id ON users (external_id) WHERE external_id <> '';
CREATE UNIQUE INDEX uq_depts_external_id ON depts (external_id) WHERE external_id <> '';
CREATE UNIQUE INDEX uq_roles_external_id ON roles (external_id) WHERE external_id <> '';
CREATE INDEX idx_ticket_field_values_key ON ticket_field_values (field_key, ticket_id);
