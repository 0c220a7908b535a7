-- A state may name the workflow of the sub-tickets its tickets wait for (0: none).
ALTER TABLE states ADD COLUMN sub_workflow_id INTEGER NOT NULL DEFAULT 0;
