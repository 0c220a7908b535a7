//! Rows as stored. Column names follow loonflow's tables so the API can emit its row dicts.

use chrono::{NaiveDate, NaiveDateTime};
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

/// A notice receiver a workflow may select (spec 2.2).
#[derive(Debug, Clone, FromRow)]
pub struct CustomNotice {
    pub id: i64,
    pub name: String,
    pub hook_url: String,
    pub hook_token: String,
    /// The notice-formatter plugin, `name[@version]`; empty for the built-in default.
    pub formatter: String,
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
    pub sub_workflow_id: i64,
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

#[derive(Debug, Clone, FromRow)]
pub struct Ticket {
    pub id: i64,
    pub creator: String,
    pub gmt_created: NaiveDateTime,
    pub gmt_modified: NaiveDateTime,
    pub is_deleted: bool,
    pub title: String,
    pub workflow_id: i64,
    pub sn: String,
    pub state_id: i64,
    pub parent_ticket_id: i64,
    pub parent_ticket_state_id: i64,
    pub participant_type_id: i64,
    pub participant: String,
    pub relation: String,
    pub in_add_node: bool,
    pub add_node_man: String,
    pub script_run_last_result: bool,
    pub act_state_id: i64,
    pub multi_all_person: String,
    pub version: i64,
}

/// A stored custom-field value: one typed column is meaningful, chosen by `field_type_id`.
#[derive(Debug, Clone, FromRow)]
pub struct StoredValue {
    pub ticket_id: i64,
    pub field_key: String,
    pub field_type_id: i64,
    pub char_value: String,
    pub int_value: i64,
    pub float_value: f64,
    pub bool_value: bool,
    pub date_value: Option<NaiveDate>,
    pub datetime_value: Option<NaiveDateTime>,
    pub radio_value: String,
    pub checkbox_value: String,
    pub select_value: String,
    pub multi_select_value: String,
    pub text_value: String,
    pub username_value: String,
    pub multi_username_value: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct FlowLog {
    pub id: i64,
    pub creator: String,
    pub gmt_created: NaiveDateTime,
    pub ticket_id: i64,
    pub transition_id: i64,
    pub suggestion: String,
    pub participant_type_id: i64,
    pub participant: String,
    pub state_id: i64,
    pub intervene_type_id: i64,
    pub ticket_data: String,
}

/// The columns a new ticket is inserted with.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub sn: String,
    pub title: String,
    pub workflow_id: i64,
    pub state_id: i64,
    pub parent_ticket_id: i64,
    pub parent_ticket_state_id: i64,
    pub participant_type_id: i64,
    pub participant: String,
    pub relation: String,
    pub act_state_id: i64,
    pub multi_all_person: String,
    pub creator: String,
}

/// The columns an operation on an existing ticket may change.
#[derive(Debug, Clone)]
pub struct TicketChange {
    pub is_deleted: bool,
    pub title: String,
    pub state_id: i64,
    pub participant_type_id: i64,
    pub participant: String,
    pub relation: String,
    pub in_add_node: bool,
    pub add_node_man: String,
    pub act_state_id: i64,
    pub multi_all_person: String,
    pub script_run_last_result: bool,
}

/// A typed value for one custom field; `Clear` removes the value.
#[derive(Debug, Clone, PartialEq)]
pub enum TypedValue {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Clear,
}

#[derive(Debug, Clone)]
pub struct FieldWrite {
    pub key: String,
    pub name: String,
    pub type_id: i64,
    pub value: TypedValue,
}

#[derive(Debug, Clone)]
pub struct NewFlowLog {
    pub ticket_id: i64,
    pub transition_id: i64,
    pub suggestion: String,
    pub participant_type_id: i64,
    pub participant: String,
    pub state_id: i64,
    pub intervene_type_id: i64,
    pub ticket_data: String,
    pub creator: String,
}
