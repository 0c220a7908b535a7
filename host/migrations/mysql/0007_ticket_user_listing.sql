-- The ticket-user index carries the ticket columns that list filters and orders on, so the
-- duty, relation and worked lists (and their totals) are index range scans in creation order
-- instead of joins over every matching ticket.
ALTER TABLE ticket_users
    ADD COLUMN workflow_id BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN ticket_created DATETIME NOT NULL DEFAULT '1970-01-01 00:00:00',
    ADD COLUMN act_state_id BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN ticket_deleted BOOLEAN NOT NULL DEFAULT 0;
UPDATE ticket_users u JOIN tickets t ON t.id = u.ticket_id
    SET u.workflow_id = t.workflow_id, u.ticket_created = t.gmt_created, u.act_state_id = t.act_state_id,
        u.ticket_deleted = t.is_deleted;
ALTER TABLE ticket_users
    DROP INDEX idx_ticket_users_duty,
    DROP INDEX idx_ticket_users_worked,
    ADD INDEX idx_ticket_users_duty (username, in_process, ticket_created, workflow_id, act_state_id, ticket_deleted, ticket_id),
    ADD INDEX idx_ticket_users_worked (username, worked, ticket_created, workflow_id, act_state_id, ticket_deleted, ticket_id),
    ADD INDEX idx_ticket_users_relation (username, ticket_created, workflow_id, act_state_id, ticket_deleted, ticket_id);
