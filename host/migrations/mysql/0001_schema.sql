-- The loonflow 1.0 data model (see spec section 2), with Grebe's application defaults (B18)
-- and Grebe's additions: a per-day serial-number counter (B10) and an optimistic-lock version
-- on tickets. Audit columns: creator, gmt_created, gmt_modified, is_deleted on every table.
-- Long free-text columns are TEXT without defaults (portable across MySQL and MariaDB); the
-- application always writes them.

CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username VARCHAR(100) NOT NULL,
    alias VARCHAR(100) NOT NULL DEFAULT '',
    email VARCHAR(255) NOT NULL DEFAULT '',
    phone VARCHAR(32) NOT NULL DEFAULT '',
    dept_id BIGINT NOT NULL DEFAULT 0,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    is_admin BOOLEAN NOT NULL DEFAULT 0,
    is_workflow_admin BOOLEAN NOT NULL DEFAULT 0,
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    UNIQUE KEY uq_users_username (username),
    KEY idx_users_dept (dept_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE depts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL DEFAULT '',
    parent_dept_id BIGINT NOT NULL DEFAULT 0,
    leader VARCHAR(100) NOT NULL DEFAULT '',
    approver VARCHAR(1000) NOT NULL DEFAULT '',
    label VARCHAR(255) NOT NULL DEFAULT '',
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    KEY idx_depts_parent (parent_dept_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE roles (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL DEFAULT '',
    description VARCHAR(255) NOT NULL DEFAULT '',
    label VARCHAR(1000) NOT NULL DEFAULT '{}',
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE user_roles (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL DEFAULT 0,
    role_id BIGINT NOT NULL DEFAULT 0,
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    KEY idx_user_roles_role (role_id),
    KEY idx_user_roles_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE app_tokens (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    app_name VARCHAR(100) NOT NULL DEFAULT '',
    token VARCHAR(100) NOT NULL DEFAULT '',
    workflow_ids VARCHAR(2000) NOT NULL DEFAULT '',
    ticket_sn_prefix VARCHAR(40) NOT NULL DEFAULT 'loonflow',
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    KEY idx_app_tokens_name (app_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE workflows (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL DEFAULT '',
    description VARCHAR(255) NOT NULL DEFAULT '',
    notices VARCHAR(255) NOT NULL DEFAULT '',
    view_permission_check BOOLEAN NOT NULL DEFAULT 1,
    limit_expression VARCHAR(1000) NOT NULL DEFAULT '{}',
    display_form_str TEXT NOT NULL,
    title_template VARCHAR(255) NOT NULL DEFAULT '',
    content_template VARCHAR(2000) NOT NULL DEFAULT '',
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE workflow_admins (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    workflow_id BIGINT NOT NULL DEFAULT 0,
    username VARCHAR(100) NOT NULL DEFAULT '',
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    KEY idx_workflow_admins_workflow (workflow_id),
    KEY idx_workflow_admins_username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE states (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL DEFAULT '',
    workflow_id BIGINT NOT NULL DEFAULT 0,
    is_hidden BOOLEAN NOT NULL DEFAULT 0,
    order_id BIGINT NOT NULL DEFAULT 0,
    type_id BIGINT NOT NULL DEFAULT 0,
    enable_retreat BOOLEAN NOT NULL DEFAULT 0,
    remember_last_man_enable BOOLEAN NOT NULL DEFAULT 0,
    participant_type_id BIGINT NOT NULL DEFAULT 1,
    participant VARCHAR(2000) NOT NULL DEFAULT '',
    distribute_type_id BIGINT NOT NULL DEFAULT 1,
    state_field_str TEXT NOT NULL,
    label TEXT NOT NULL,
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    KEY idx_states_workflow (workflow_id, type_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE transitions (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL DEFAULT '',
    workflow_id BIGINT NOT NULL DEFAULT 0,
    transition_type_id BIGINT NOT NULL DEFAULT 1,
    timer BIGINT NOT NULL DEFAULT 0,
    source_state_id BIGINT NOT NULL DEFAULT 0,
    destination_state_id BIGINT NOT NULL DEFAULT 0,
    condition_expression TEXT NOT NULL,
    attribute_type_id BIGINT NOT NULL DEFAULT 1,
    field_require_check BOOLEAN NOT NULL DEFAULT 1,
    alert_enable BOOLEAN NOT NULL DEFAULT 0,
    alert_text VARCHAR(255) NOT NULL DEFAULT '',
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    KEY idx_transitions_source (source_state_id),
    KEY idx_transitions_workflow (workflow_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE custom_fields (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    workflow_id BIGINT NOT NULL DEFAULT 0,
    field_type_id BIGINT NOT NULL DEFAULT 0,
    field_key VARCHAR(100) NOT NULL DEFAULT '',
    field_name VARCHAR(100) NOT NULL DEFAULT '',
    order_id BIGINT NOT NULL DEFAULT 0,
    default_value VARCHAR(255) NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    field_template TEXT NOT NULL,
    boolean_field_display VARCHAR(255) NOT NULL DEFAULT '{}',
    field_choice TEXT NOT NULL,
    label TEXT NOT NULL,
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    KEY idx_custom_fields_workflow (workflow_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE custom_notices (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL DEFAULT '',
    description VARCHAR(255) NOT NULL DEFAULT '',
    hook_url VARCHAR(1000) NOT NULL DEFAULT '',
    hook_token VARCHAR(255) NOT NULL DEFAULT '',
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE tickets (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    title VARCHAR(500) NOT NULL DEFAULT '',
    workflow_id BIGINT NOT NULL DEFAULT 0,
    sn VARCHAR(64) NOT NULL,
    state_id BIGINT NOT NULL DEFAULT 0,
    parent_ticket_id BIGINT NOT NULL DEFAULT 0,
    parent_ticket_state_id BIGINT NOT NULL DEFAULT 0,
    participant_type_id BIGINT NOT NULL DEFAULT 0,
    participant TEXT NOT NULL,
    relation TEXT NOT NULL,
    in_add_node BOOLEAN NOT NULL DEFAULT 0,
    add_node_man VARCHAR(100) NOT NULL DEFAULT '',
    script_run_last_result BOOLEAN NOT NULL DEFAULT 1,
    act_state_id BIGINT NOT NULL DEFAULT 1,
    multi_all_person TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0,
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    UNIQUE KEY uq_tickets_sn (sn),
    KEY idx_tickets_workflow_created (workflow_id, gmt_created),
    KEY idx_tickets_creator_created (creator, gmt_created),
    KEY idx_tickets_created (gmt_created),
    KEY idx_tickets_state (state_id),
    KEY idx_tickets_parent (parent_ticket_id, parent_ticket_state_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE ticket_field_values (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL DEFAULT '',
    field_key VARCHAR(100) NOT NULL DEFAULT '',
    ticket_id BIGINT NOT NULL DEFAULT 0,
    field_type_id BIGINT NOT NULL DEFAULT 0,
    char_value VARCHAR(2000) NOT NULL DEFAULT '',
    int_value BIGINT NOT NULL DEFAULT 0,
    float_value DOUBLE NOT NULL DEFAULT 0,
    bool_value BOOLEAN NOT NULL DEFAULT 0,
    date_value DATE NULL,
    datetime_value DATETIME NULL,
    radio_value VARCHAR(255) NOT NULL DEFAULT '',
    checkbox_value VARCHAR(1000) NOT NULL DEFAULT '',
    select_value VARCHAR(255) NOT NULL DEFAULT '',
    multi_select_value VARCHAR(1000) NOT NULL DEFAULT '',
    text_value LONGTEXT NOT NULL,
    username_value VARCHAR(100) NOT NULL DEFAULT '',
    multi_username_value VARCHAR(2000) NOT NULL DEFAULT '',
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    KEY idx_ticket_field_values_ticket (ticket_id, field_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE ticket_flow_logs (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ticket_id BIGINT NOT NULL DEFAULT 0,
    transition_id BIGINT NOT NULL DEFAULT 0,
    suggestion TEXT NOT NULL,
    participant_type_id BIGINT NOT NULL DEFAULT 0,
    participant VARCHAR(255) NOT NULL DEFAULT '',
    state_id BIGINT NOT NULL DEFAULT 0,
    intervene_type_id BIGINT NOT NULL DEFAULT 0,
    ticket_data MEDIUMTEXT NOT NULL,
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    KEY idx_ticket_flow_logs_ticket (ticket_id, state_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE ticket_users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ticket_id BIGINT NOT NULL DEFAULT 0,
    username VARCHAR(100) NOT NULL DEFAULT '',
    in_process BOOLEAN NOT NULL DEFAULT 0,
    worked BOOLEAN NOT NULL DEFAULT 0,
    creator VARCHAR(100) NOT NULL DEFAULT '',
    gmt_created DATETIME NOT NULL,
    gmt_modified DATETIME NOT NULL,
    is_deleted BOOLEAN NOT NULL DEFAULT 0,
    UNIQUE KEY uq_ticket_users (ticket_id, username),
    KEY idx_ticket_users_duty (username, in_process, ticket_id),
    KEY idx_ticket_users_worked (username, worked, ticket_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Serial numbers: one counter per prefix and local day, incremented inside the creating
-- transaction, so numbers are unique across processes sharing the database (B10).
CREATE TABLE sn_counters (
    prefix VARCHAR(40) NOT NULL,
    day CHAR(8) NOT NULL,
    counter BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (prefix, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
