//! Rows as stored. Column names follow loonflow's tables so the API can emit its row dicts.

use chrono::NaiveDateTime;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct AppToken {
    pub id: i64,
    pub app_name: String,
    pub token: String,
    pub workflow_ids: String,
    pub ticket_sn_prefix: String,
    pub creator: String,
    pub gmt_created: NaiveDateTime,
    pub gmt_modified: NaiveDateTime,
}

#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub alias: String,
    pub email: String,
    pub phone: String,
    pub dept_id: i64,
    pub is_active: bool,
    pub is_admin: bool,
    pub is_workflow_admin: bool,
}

#[derive(Debug, Clone, FromRow)]
pub struct Dept {
    pub id: i64,
    pub name: String,
    pub parent_dept_id: i64,
    pub leader: String,
    pub approver: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct Role {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct Workflow {
    pub id: i64,
    pub creator: String,
    pub gmt_created: NaiveDateTime,
    pub gmt_modified: NaiveDateTime,
    pub is_deleted: bool,
    pub name: String,
    pub description: String,
    pub notices: String,
    pub view_permission_check: bool,
    pub limit_expression: String,
    pub display_form_str: String,
    pub title_template: String,
    pub content_template: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct State {
    pub id: i64,
    pub creator: String,
    pub gmt_created: NaiveDateTime,
    pub gmt_modified: NaiveDateTime,
    pub is_deleted: bool,
    pub name: String,
    pub workflow_id: i64,
    pub is_hidden: bool,
    pub order_id: i64,
    pub type_id: i64,
    pub enable_retreat: bool,
    pub remember_last_man_enable: bool,
    pub participant_type_id: i64,
    pub participant: String,
    pub distribute_type_id: i64,
    pub state_field_str: String,
    pub label: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct Transition {
    pub id: i64,
    pub creator: String,
    pub gmt_created: NaiveDateTime,
    pub gmt_modified: NaiveDateTime,
    pub is_deleted: bool,
    pub name: String,
    pub workflow_id: i64,
    pub transition_type_id: i64,
    pub timer: i64,
    pub source_state_id: i64,
    pub destination_state_id: i64,
    pub condition_expression: String,
    pub attribute_type_id: i64,
    pub field_require_check: bool,
    pub alert_enable: bool,
    pub alert_text: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct CustomField {
    pub id: i64,
    pub creator: String,
    pub gmt_created: NaiveDateTime,
    pub gmt_modified: NaiveDateTime,
    pub is_deleted: bool,
    pub workflow_id: i64,
    pub field_type_id: i64,
    pub field_key: String,
    pub field_name: String,
    pub order_id: i64,
    pub default_value: Option<String>,
    pub description: String,
    pub field_template: String,
    pub boolean_field_display: String,
    pub field_choice: String,
    pub label: String,
}

/// One page of rows plus the total number of matching rows.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// Which slice of a result to read: `offset` rows skipped, at most `limit` returned.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub offset: i64,
    pub limit: i64,
}
