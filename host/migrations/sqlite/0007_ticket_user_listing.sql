-- The ticket-user index carries the ticket columns that list filters and orders on, so the
-- duty, relation and worked lists (and their totals) are index range scans in creation order
-- instead of joins over every matching ticket.
ALTER TABLE ticket_users ADD COLUMN workflow_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket_users ADD COLUMN ticket_created TEXT NOT NULL DEFAULT '';
ALTER TABLE ticket_users ADD COLUMN act_state_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket_users ADD COLUMN ticket_deleted INTEGER NOT NULL DEFAULT 0;
UPDATE ticket_users SET
    workflow_id = (SELECT t.workflow_id FROM tickets t WHERE t.id = ticket_users.ticket_id),
    ticket_created = (SELECT t.gmt_created FROM tickets t WHERE t.id = ticket_users.ticket_id),
    act_state_id = (SELECT t.act_state_id FROM tickets t WHERE t.id = ticket_users.ticket_id),
    ticket_deleted = (SELECT t.is_deleted FROM tickets t WHERE t.id = ticket_users.ticket_id)
WHERE ticket_id IN (SELECT id FROM tickets);
DROP INDEX idx_ticket_users_duty;
DROP INDEX idx_ticket_users_worked;
CREATE INDEX idx_ticket_users_duty ON ticket_users (username, in_process, ticket_created, workflow_id, act_state_id, ticket_deleted, ticket_id);
CREATE INDEX idx_ticket_users_worked ON ticket_users (username, worked, ticket_created, workflow_id, act_state_id, ticket_deleted, ticket_id);
CREATE INDEX idx_ticket_users_relation ON ticket_users (username, ticket_created, workflow_id, act_state_id, ticket_deleted, ticket_id);
