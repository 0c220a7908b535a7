//! Workflow configuration as the admin API writes it: the writable columns of workflows,
//! states, transitions, custom fields and notices, the reads around them, and which tickets
//! still use a state or a field.

use chrono::NaiveDateTime;
use sqlx::FromRow;

use super::table::{Column, Columns, Members, TEXT, Table};
use super::workflows::{CUSTOM_FIELD_COLUMNS, TRANSITION_COLUMNS, WORKFLOW_COLUMNS};
use super::{
    CustomField, Page, SqlArg, State, Store, StoreResult, Transition, Tx, Window, Workflow, fetch_page, like_pattern,
    on_pool, on_tx,
};

/// The writable columns of a workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowValues {
    pub name: String,
    pub description: String,
    pub notices: String,
    pub view_permission_check: bool,
    pub limit_expression: String,
    pub display_form_str: String,
    pub title_template: String,
    pub content_template: String,
}

impl From<&Workflow> for WorkflowValues {
    fn from(row: &Workflow) -> WorkflowValues {
        WorkflowValues {
            name: row.name.clone(),
            description: row.description.clone(),
            notices: row.notices.clone(),
            view_permission_check: row.view_permission_check,
            limit_expression: row.limit_expression.clone(),
            display_form_str: row.display_form_str.clone(),
            title_template: row.title_template.clone(),
            content_template: row.content_template.clone(),
        }
    }
}

impl Columns for WorkflowValues {
    const TABLE: Table = Table::Workflows;

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::text("name", &self.name, 100),
            Column::text("description", &self.description, 255),
            Column::text("notices", &self.notices, 255),
            Column::flag("view_permission_check", self.view_permission_check),
            Column::text("limit_expression", &self.limit_expression, 1000),
            Column::text("display_form_str", &self.display_form_str, TEXT),
            Column::text("title_template", &self.title_template, 255),
            Column::text("content_template", &self.content_template, 2000),
        ]
    }
}

/// The writable columns of a state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateValues {
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

impl From<&State> for StateValues {
    fn from(row: &State) -> StateValues {
        StateValues {
            name: row.name.clone(),
            workflow_id: row.workflow_id,
            sub_workflow_id: row.sub_workflow_id,
            is_hidden: row.is_hidden,
            order_id: row.order_id,
            type_id: row.type_id,
            enable_retreat: row.enable_retreat,
            remember_last_man_enable: row.remember_last_man_enable,
            participant_type_id: row.participant_type_id,
            participant: row.participant.clone(),
            distribute_type_id: row.distribute_type_id,
            state_field_str: row.state_field_str.clone(),
            label: row.label.clone(),
        }
    }
}

impl Columns for StateValues {
    const TABLE: Table = Table::States;

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::text("name", &self.name, 100),
            Column::int("workflow_id", self.workflow_id),
            Column::int("sub_workflow_id", self.sub_workflow_id),
            Column::flag("is_hidden", self.is_hidden),
            Column::int("order_id", self.order_id),
            Column::int("type_id", self.type_id),
            Column::flag("enable_retreat", self.enable_retreat),
            Column::flag("remember_last_man_enable", self.remember_last_man_enable),
            Column::int("participant_type_id", self.participant_type_id),
            Column::text("participant", &self.participant, 2000),
            Column::int("distribute_type_id", self.distribute_type_id),
            Column::text("state_field_str", &self.state_field_str, TEXT),
            Column::text("label", &self.label, TEXT),
        ]
    }
}

/// The writable columns of a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionValues {
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

impl From<&Transition> for TransitionValues {
    fn from(row: &Transition) -> TransitionValues {
        TransitionValues {
            name: row.name.clone(),
            workflow_id: row.workflow_id,
            transition_type_id: row.transition_type_id,
            timer: row.timer,
            source_state_id: row.source_state_id,
            destination_state_id: row.destination_state_id,
            condition_expression: row.condition_expression.clone(),
            attribute_type_id: row.attribute_type_id,
            field_require_check: row.field_require_check,
            alert_enable: row.alert_enable,
            alert_text: row.alert_text.clone(),
        }
    }
}

impl Columns for TransitionValues {
    const TABLE: Table = Table::Transitions;

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::text("name", &self.name, 100),
            Column::int("workflow_id", self.workflow_id),
            Column::int("transition_type_id", self.transition_type_id),
            Column::int("timer", self.timer),
            Column::int("source_state_id", self.source_state_id),
            Column::int("destination_state_id", self.destination_state_id),
            Column::text("condition_expression", &self.condition_expression, TEXT),
            Column::int("attribute_type_id", self.attribute_type_id),
            Column::flag("field_require_check", self.field_require_check),
            Column::flag("alert_enable", self.alert_enable),
            Column::text("alert_text", &self.alert_text, 255),
        ]
    }
}

/// The writable columns of a custom field definition. `default_value` is written as text
/// ('' for none), never NULL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldValues {
    pub workflow_id: i64,
    pub field_type_id: i64,
    pub field_key: String,
    pub field_name: String,
    pub order_id: i64,
    pub default_value: String,
    pub description: String,
    pub field_template: String,
    pub boolean_field_display: String,
    pub field_choice: String,
    pub label: String,
}

impl From<&CustomField> for FieldValues {
    fn from(row: &CustomField) -> FieldValues {
        FieldValues {
            workflow_id: row.workflow_id,
            field_type_id: row.field_type_id,
            field_key: row.field_key.clone(),
            field_name: row.field_name.clone(),
            order_id: row.order_id,
            default_value: row.default_value.clone().unwrap_or_default(),
            description: row.description.clone(),
            field_template: row.field_template.clone(),
            boolean_field_display: row.boolean_field_display.clone(),
            field_choice: row.field_choice.clone(),
            label: row.label.clone(),
        }
    }
}

impl Columns for FieldValues {
    const TABLE: Table = Table::CustomFields;

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::int("workflow_id", self.workflow_id),
            Column::int("field_type_id", self.field_type_id),
            Column::text("field_key", &self.field_key, 100),
            Column::text("field_name", &self.field_name, 100),
            Column::int("order_id", self.order_id),
            Column::text("default_value", &self.default_value, 255),
            Column::text("description", &self.description, 255),
            Column::text("field_template", &self.field_template, TEXT),
            Column::text("boolean_field_display", &self.boolean_field_display, 255),
            Column::text("field_choice", &self.field_choice, TEXT),
            Column::text("label", &self.label, TEXT),
        ]
    }
}

/// A notice hook (spec 2.2 `workflow_customnotice`).
#[derive(Debug, Clone, FromRow)]
pub struct Notice {
    pub id: i64,
    pub creator: String,
    pub gmt_created: NaiveDateTime,
    pub gmt_modified: NaiveDateTime,
    pub is_deleted: bool,
    pub name: String,
    pub description: String,
    pub hook_url: String,
    pub hook_token: String,
}

/// The writable columns of a notice hook.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticeValues {
    pub name: String,
    pub description: String,
    pub hook_url: String,
    pub hook_token: String,
}

impl From<&Notice> for NoticeValues {
    fn from(row: &Notice) -> NoticeValues {
        NoticeValues {
            name: row.name.clone(),
            description: row.description.clone(),
            hook_url: row.hook_url.clone(),
            hook_token: row.hook_token.clone(),
        }
    }
}

impl Columns for NoticeValues {
    const TABLE: Table = Table::CustomNotices;

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::text("name", &self.name, 100),
            Column::text("description", &self.description, 255),
            Column::text("hook_url", &self.hook_url, 1000),
            Column::text("hook_token", &self.hook_token, 255),
        ]
    }
}

const NOTICE_COLUMNS: &str =
    "id, creator, gmt_created, gmt_modified, is_deleted, name, description, hook_url, hook_token";

impl Store {
    /// The non-deleted workflows named exactly `name` (also on MySQL, whose comparison
    /// ignores case), by id.
    pub async fn workflows_named(&self, name: &str) -> StoreResult<Vec<Workflow>> {
        let sql = format!("SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE name = ? AND is_deleted = 0 ORDER BY id");
        let rows = on_pool!(self, |pool| sqlx::query_as::<_, Workflow>(&sql)
            .bind(name)
            .fetch_all(pool)
            .await?);
        Ok(rows.into_iter().filter(|workflow| workflow.name == name).collect())
    }

    /// The non-deleted transitions of a workflow, by id.
    pub async fn transitions_of_workflow(&self, workflow_id: i64) -> StoreResult<Vec<Transition>> {
        let sql = format!(
            "SELECT {TRANSITION_COLUMNS} FROM transitions WHERE workflow_id = ? AND is_deleted = 0 ORDER BY id"
        );
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Transition>(&sql)
            .bind(workflow_id)
            .fetch_all(pool)
            .await?))
    }

    /// Non-deleted transitions of a workflow whose name contains `name`, by id.
    pub async fn transitions_page(
        &self,
        workflow_id: i64,
        name: Option<&str>,
        window_for: impl FnOnce(i64) -> Window,
    ) -> StoreResult<Page<Transition>> {
        let (filter, args) = super::workflow_rows_filter("transitions", workflow_id, &["name"], name);
        Ok(fetch_page!(
            self,
            Transition,
            count: format!("SELECT COUNT(*) FROM {}", filter),
            list: format!("SELECT {} FROM {} ORDER BY {} LIMIT ? OFFSET ?", TRANSITION_COLUMNS, filter, "id"),
            args: &args,
            window_for: window_for
        ))
    }

    /// Non-deleted field definitions of a workflow whose key, name or description contains
    /// `search`, by id.
    pub async fn custom_fields_page(
        &self,
        workflow_id: i64,
        search: Option<&str>,
        window_for: impl FnOnce(i64) -> Window,
    ) -> StoreResult<Page<CustomField>> {
        let (filter, args) = super::workflow_rows_filter(
            "custom_fields",
            workflow_id,
            &["field_key", "field_name", "description"],
            search,
        );
        Ok(fetch_page!(
            self,
            CustomField,
            count: format!("SELECT COUNT(*) FROM {}", filter),
            list: format!("SELECT {} FROM {} ORDER BY {} LIMIT ? OFFSET ?", CUSTOM_FIELD_COLUMNS, filter, "id"),
            args: &args,
            window_for: window_for
        ))
    }

    /// Ids of the non-deleted tickets in a state, at most `limit`, by id.
    pub async fn tickets_in_state(&self, state_id: i64, limit: i64) -> StoreResult<Vec<i64>> {
        let sql = "SELECT id FROM tickets WHERE state_id = ? AND is_deleted = 0 ORDER BY id LIMIT ?";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(state_id)
            .bind(limit)
            .fetch_all(pool)
            .await?))
    }

    /// Ids of the non-deleted tickets of a workflow holding a value of field `field_key`, at
    /// most `limit`, by id.
    pub async fn tickets_with_value(&self, workflow_id: i64, field_key: &str, limit: i64) -> StoreResult<Vec<i64>> {
        let sql = "SELECT DISTINCT t.id FROM ticket_field_values v JOIN tickets t ON t.id = v.ticket_id \
                   WHERE v.field_key = ? AND v.is_deleted = 0 AND t.workflow_id = ? AND t.is_deleted = 0 \
                   ORDER BY t.id LIMIT ?";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(field_key)
            .bind(workflow_id)
            .bind(limit)
            .fetch_all(pool)
            .await?))
    }

    /// Non-deleted notices whose name or description contains `search`, by id.
    pub async fn notices_page(
        &self,
        search: Option<&str>,
        window_for: impl FnOnce(i64) -> Window,
    ) -> StoreResult<Page<Notice>> {
        let mut filter = String::from("custom_notices WHERE is_deleted = 0");
        let mut args = Vec::new();
        if let Some(search) = search {
            filter.push_str(" AND (name LIKE ? ESCAPE '!' OR description LIKE ? ESCAPE '!')");
            args.extend(std::iter::repeat_n(SqlArg::Text(like_pattern(search)), 2));
        }
        Ok(fetch_page!(
            self,
            Notice,
            count: format!("SELECT COUNT(*) FROM {}", filter),
            list: format!("SELECT {} FROM {} ORDER BY {} LIMIT ? OFFSET ?", NOTICE_COLUMNS, filter, "id"),
            args: &args,
            window_for: window_for
        ))
    }

    /// Every non-deleted notice, by id.
    pub async fn all_notices(&self) -> StoreResult<Vec<Notice>> {
        self.all_rows(Table::CustomNotices, NOTICE_COLUMNS, true).await
    }

    /// A non-deleted notice.
    pub async fn notice(&self, id: i64) -> StoreResult<Option<Notice>> {
        self.live_row(Table::CustomNotices, NOTICE_COLUMNS, id).await
    }

    /// A non-deleted custom field definition.
    pub async fn custom_field(&self, id: i64) -> StoreResult<Option<CustomField>> {
        self.live_row(Table::CustomFields, CUSTOM_FIELD_COLUMNS, id).await
    }
}

impl Tx {
    /// Makes exactly `usernames` the admins of a workflow.
    pub async fn set_workflow_admins(
        &mut self,
        workflow_id: i64,
        usernames: &[String],
        creator: &str,
    ) -> StoreResult<()> {
        let admins = Members {
            table: Table::WorkflowAdmins,
            owner_column: "workflow_id",
            owner: workflow_id,
            member_column: "username",
        };
        let members: Vec<SqlArg> = usernames.iter().map(|name| SqlArg::Text(name.clone())).collect();
        self.set_members(&admins, &members, creator).await
    }

    /// Adds `workflow_id` to the workflows app token `token_id` permits.
    pub async fn grant_workflow(&mut self, token_id: i64, workflow_id: i64) -> StoreResult<()> {
        let sql = self.dialect(
            "UPDATE app_tokens SET workflow_ids = CASE WHEN TRIM(workflow_ids) = '' THEN ? \
             ELSE workflow_ids || ',' || ? END, gmt_modified = ? WHERE id = ?",
            "UPDATE app_tokens SET workflow_ids = CASE WHEN TRIM(workflow_ids) = '' THEN ? \
             ELSE CONCAT(workflow_ids, ',', ?) END, gmt_modified = ? WHERE id = ?",
        );
        let id = workflow_id.to_string();
        on_tx!(self, |conn| {
            sqlx::query(sql)
                .bind(&id)
                .bind(&id)
                .bind(super::now())
                .bind(token_id)
                .execute(conn)
                .await?;
        });
        Ok(())
    }
}
