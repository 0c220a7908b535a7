-- The loonflow 1.0 data model (see spec section 2), with Grebe's application defaults (B18)
-- and Grebe's additions: a per-day serial-number counter (B10) and an optimistic-lock version
-- on tickets. Audit columns: creator, gmt_created, gmt_modified, is_deleted on every table.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    alias TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    dept_id INTEGER NOT NULL DEFAULT 0,
    is_active INTEGER NOT NULL DEFAULT 1,
    is_admin INTEGER NOT NULL DEFAULT 0,
    is_workflow_admin INTEGER NOT NULL DEFAULT 0,
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_users_dept ON users (dept_id);

CREATE TABLE depts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL DEFAULT '',
    parent_dept_id INTEGER NOT NULL DEFAULT 0,
    leader TEXT NOT NULL DEFAULT '',
    approver TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '',
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_depts_parent ON depts (parent_dept_id);

CREATE TABLE roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '{}',
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE user_roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL DEFAULT 0,
    role_id INTEGER NOT NULL DEFAULT 0,
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_user_roles_role ON user_roles (role_id);
CREATE INDEX idx_user_roles_user ON user_roles (user_id);

CREATE TABLE app_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app_name TEXT NOT NULL DEFAULT '',
    token TEXT NOT NULL DEFAULT '',
    workflow_ids TEXT NOT NULL DEFAULT '',
    ticket_sn_prefix TEXT NOT NULL DEFAULT 'loonflow',
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_app_tokens_name ON app_tokens (app_name);

CREATE TABLE workflows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    notices TEXT NOT NULL DEFAULT '',
    view_permission_check INTEGER NOT NULL DEFAULT 1,
    limit_expression TEXT NOT NULL DEFAULT '{}',
    display_form_str TEXT NOT NULL DEFAULT '[]',
    title_template TEXT NOT NULL DEFAULT '',
    content_template TEXT NOT NULL DEFAULT '',
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE workflow_admins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id INTEGER NOT NULL DEFAULT 0,
    username TEXT NOT NULL DEFAULT '',
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_workflow_admins_workflow ON workflow_admins (workflow_id);
CREATE INDEX idx_workflow_admins_username ON workflow_admins (username);

CREATE TABLE states (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL DEFAULT '',
    workflow_id INTEGER NOT NULL DEFAULT 0,
    is_hidden INTEGER NOT NULL DEFAULT 0,
    order_id INTEGER NOT NULL DEFAULT 0,
    type_id INTEGER NOT NULL DEFAULT 0,
    enable_retreat INTEGER NOT NULL DEFAULT 0,
    remember_last_man_enable INTEGER NOT NULL DEFAULT 0,
    participant_type_id INTEGER NOT NULL DEFAULT 1,
    participant TEXT NOT NULL DEFAULT '',
    distribute_type_id INTEGER NOT NULL DEFAULT 1,
    state_field_str TEXT NOT NULL DEFAULT '{}',
    label TEXT NOT NULL DEFAULT '{}',
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_states_workflow ON states (workflow_id, type_id);

CREATE TABLE transitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL DEFAULT '',
    workflow_id INTEGER NOT NULL DEFAULT 0,
    transition_type_id INTEGER NOT NULL DEFAULT 1,
    timer INTEGER NOT NULL DEFAULT 0,
    source_state_id INTEGER NOT NULL DEFAULT 0,
    destination_state_id INTEGER NOT NULL DEFAULT 0,
    condition_expression TEXT NOT NULL DEFAULT '[]',
    attribute_type_id INTEGER NOT NULL DEFAULT 1,
    field_require_check INTEGER NOT NULL DEFAULT 1,
    alert_enable INTEGER NOT NULL DEFAULT 0,
    alert_text TEXT NOT NULL DEFAULT '',
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_transitions_source ON transitions (source_state_id);
CREATE INDEX idx_transitions_workflow ON transitions (workflow_id);

CREATE TABLE custom_fields (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id INTEGER NOT NULL DEFAULT 0,
    field_type_id INTEGER NOT NULL DEFAULT 0,
    field_key TEXT NOT NULL DEFAULT '',
    field_name TEXT NOT NULL DEFAULT '',
    order_id INTEGER NOT NULL DEFAULT 0,
    default_value TEXT NULL,
    description TEXT NOT NULL DEFAULT '',
    field_template TEXT NOT NULL DEFAULT '',
    boolean_field_display TEXT NOT NULL DEFAULT '{}',
    field_choice TEXT NOT NULL DEFAULT '{}',
    label TEXT NOT NULL DEFAULT '{}',
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_custom_fields_workflow ON custom_fields (workflow_id);

CREATE TABLE custom_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    hook_url TEXT NOT NULL DEFAULT '',
    hook_token TEXT NOT NULL DEFAULT '',
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL DEFAULT '',
    workflow_id INTEGER NOT NULL DEFAULT 0,
    sn TEXT NOT NULL,
    state_id INTEGER NOT NULL DEFAULT 0,
    parent_ticket_id INTEGER NOT NULL DEFAULT 0,
    parent_ticket_state_id INTEGER NOT NULL DEFAULT 0,
    participant_type_id INTEGER NOT NULL DEFAULT 0,
    participant TEXT NOT NULL DEFAULT '',
    relation TEXT NOT NULL DEFAULT '',
    in_add_node INTEGER NOT NULL DEFAULT 0,
    add_node_man TEXT NOT NULL DEFAULT '',
    script_run_last_result INTEGER NOT NULL DEFAULT 1,
    act_state_id INTEGER NOT NULL DEFAULT 1,
    multi_all_person TEXT NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 0,
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX uq_tickets_sn ON tickets (sn);
CREATE INDEX idx_tickets_workflow_created ON tickets (workflow_id, gmt_created);
CREATE INDEX idx_tickets_creator_created ON tickets (creator, gmt_created);
CREATE INDEX idx_tickets_created ON tickets (gmt_created);
CREATE INDEX idx_tickets_state ON tickets (state_id);
CREATE INDEX idx_tickets_parent ON tickets (parent_ticket_id, parent_ticket_state_id);

CREATE TABLE ticket_field_values (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL DEFAULT '',
    field_key TEXT NOT NULL DEFAULT '',
    ticket_id INTEGER NOT NULL DEFAULT 0,
    field_type_id INTEGER NOT NULL DEFAULT 0,
    char_value TEXT NOT NULL DEFAULT '',
    int_value INTEGER NOT NULL DEFAULT 0,
    float_value REAL NOT NULL DEFAULT 0,
    bool_value INTEGER NOT NULL DEFAULT 0,
    date_value TEXT NULL,
    datetime_value TEXT NULL,
    radio_value TEXT NOT NULL DEFAULT '',
    checkbox_value TEXT NOT NULL DEFAULT '',
    select_value TEXT NOT NULL DEFAULT '',
    multi_select_value TEXT NOT NULL DEFAULT '',
    text_value TEXT NOT NULL DEFAULT '',
    username_value TEXT NOT NULL DEFAULT '',
    multi_username_value TEXT NOT NULL DEFAULT '',
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_ticket_field_values_ticket ON ticket_field_values (ticket_id, field_key);

CREATE TABLE ticket_flow_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL DEFAULT 0,
    transition_id INTEGER NOT NULL DEFAULT 0,
    suggestion TEXT NOT NULL DEFAULT '',
    participant_type_id INTEGER NOT NULL DEFAULT 0,
    participant TEXT NOT NULL DEFAULT '',
    state_id INTEGER NOT NULL DEFAULT 0,
    intervene_type_id INTEGER NOT NULL DEFAULT 0,
    ticket_data TEXT NOT NULL DEFAULT '',
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_ticket_flow_logs_ticket ON ticket_flow_logs (ticket_id, state_id);

CREATE TABLE ticket_users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL DEFAULT 0,
    username TEXT NOT NULL DEFAULT '',
    in_process INTEGER NOT NULL DEFAULT 0,
    worked INTEGER NOT NULL DEFAULT 0,
    creator TEXT NOT NULL DEFAULT '',
    gmt_created TEXT NOT NULL,
    gmt_modified TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX uq_ticket_users ON ticket_users (ticket_id, username);
CREATE INDEX idx_ticket_users_duty ON ticket_users (username, in_process, ticket_id);
CREATE INDEX idx_ticket_users_worked ON ticket_users (username, worked, ticket_id);

-- Serial numbers: one counter per prefix and local day, incremented inside the creating
-- transaction, so numbers are unique across processes sharing the database (B10).
CREATE TABLE sn_counters (
    prefix TEXT NOT NULL,
    day TEXT NOT NULL,
    counter INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (prefix, day)
);
