//! Workflow configuration: app tokens, workflows and their admins, states, transitions and
//! custom field definitions.

use super::{
    AppToken, CustomField, CustomNotice, Page, SqlArg, State, Store, StoreResult, Transition, Window, Workflow,
    fetch_binding_each, fetch_page, like_pattern, on_pool,
};

pub(super) const APP_TOKEN_COLUMNS: &str =
    "id, app_name, token, workflow_ids, ticket_sn_prefix, creator, gmt_created, gmt_modified";
pub(super) const WORKFLOW_COLUMNS: &str = "id, creator, gmt_created, gmt_modified, is_deleted, name, description, notices, \
     view_permission_check, limit_expression, display_form_str, title_template, content_template";
pub(super) const STATE_COLUMNS: &str = "id, creator, gmt_created, gmt_modified, is_deleted, name, workflow_id, sub_workflow_id, is_hidden, \
     order_id, type_id, enable_retreat, remember_last_man_enable, participant_type_id, participant, \
     distribute_type_id, state_field_str, label";
pub(super) const TRANSITION_COLUMNS: &str = "id, creator, gmt_created, gmt_modified, is_deleted, name, workflow_id, \
     transition_type_id, timer, source_state_id, destination_state_id, condition_expression, \
     attribute_type_id, field_require_check, alert_enable, alert_text";
pub(super) const CUSTOM_FIELD_COLUMNS: &str = "id, creator, gmt_created, gmt_modified, is_deleted, workflow_id, field_type_id, \
     field_key, field_name, order_id, default_value, description, field_template, \
     boolean_field_display, field_choice, label";

/// `?, ?, ?` with `n` placeholders, for `IN (…)` lists.
pub(super) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

impl Store {
    /// The first non-deleted token row of an app (lowest id), as loonflow resolves app names.
    pub async fn app_token_by_name(&self, app_name: &str) -> StoreResult<Option<AppToken>> {
        self.cached("app_token_by_name", app_name.to_string(), || async move {
            let sql = format!(
                "SELECT {APP_TOKEN_COLUMNS} FROM app_tokens WHERE app_name = ? AND is_deleted = 0 ORDER BY id LIMIT 1"
            );
            Ok(on_pool!(self, |pool| sqlx::query_as::<_, AppToken>(&sql)
                .bind(app_name)
                .fetch_optional(pool)
                .await?))
        })
        .await
    }

    /// Non-deleted workflows among `ids` whose name contains `name` (if given), ordered by id.
    /// `window_for` turns the total into the slice to read, so callers can clamp pages.
    pub async fn workflows_page(
        &self,
        ids: &[i64],
        name: Option<&str>,
        window_for: impl FnOnce(i64) -> Window,
    ) -> StoreResult<Page<Workflow>> {
        if ids.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        let mut filter = format!("workflows WHERE is_deleted = 0 AND id IN ({})", placeholders(ids.len()));
        let mut args: Vec<SqlArg> = ids.iter().map(|id| SqlArg::Int(*id)).collect();
        if let Some(name) = name {
            filter.push_str(" AND name LIKE ? ESCAPE '!'");
            args.push(SqlArg::Text(like_pattern(name)));
        }
        Ok(fetch_page!(
            self,
            Workflow,
            count: format!("SELECT COUNT(*) FROM {filter}"),
            list: format!("SELECT {WORKFLOW_COLUMNS} FROM {filter} ORDER BY id LIMIT ? OFFSET ?"),
            args: &args,
            window_for: window_for
        ))
    }

    pub async fn workflow(&self, id: i64) -> StoreResult<Option<Workflow>> {
        self.cached("workflow", id.to_string(), || async move {
            let sql = format!("SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE id = ? AND is_deleted = 0");
            Ok(on_pool!(self, |pool| sqlx::query_as::<_, Workflow>(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await?))
        })
        .await
    }

    /// A non-deleted custom notice.
    pub async fn custom_notice(&self, id: i64) -> StoreResult<Option<CustomNotice>> {
        let sql =
            "SELECT id, name, hook_url, hook_token, formatter FROM custom_notices WHERE id = ? AND is_deleted = 0";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, CustomNotice>(sql)
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// Ids of every non-deleted workflow.
    pub async fn all_workflow_ids(&self) -> StoreResult<Vec<i64>> {
        self.cached("all_workflow_ids", String::new(), || async move {
            let sql = "SELECT id FROM workflows WHERE is_deleted = 0 ORDER BY id";
            Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
                .fetch_all(pool)
                .await?))
        })
        .await
    }

    /// Ids of the non-deleted workflows that `username` created or is a listed admin of.
    pub async fn workflow_ids_created_or_administered_by(&self, username: &str) -> StoreResult<Vec<i64>> {
        self.cached(
            "workflow_ids_created_or_administered_by",
            username.to_string(),
            || async move {
                let sql = "SELECT id FROM workflows WHERE is_deleted = 0 AND (creator = ? OR id IN \
                       (SELECT workflow_id FROM workflow_admins WHERE username = ? AND is_deleted = 0)) ORDER BY id";
                Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
                    .bind(username)
                    .bind(username)
                    .fetch_all(pool)
                    .await?))
            },
        )
        .await
    }

    /// `(workflow_id, username)` of the non-deleted admin rows of these workflows, by row id.
    pub async fn workflow_admins(&self, workflow_ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
        self.cached("workflow_admins", format!("{workflow_ids:?}"), || async move {
            if workflow_ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT workflow_id, username FROM workflow_admins WHERE is_deleted = 0 AND workflow_id IN ({}) ORDER BY id",
                placeholders(workflow_ids.len())
            );
            Ok(fetch_binding_each!(self, (i64, String), &sql, workflow_ids))
        })
        .await
    }

    /// The first non-deleted start state (type 1) of a workflow.
    pub async fn start_state(&self, workflow_id: i64) -> StoreResult<Option<State>> {
        self.cached("start_state", workflow_id.to_string(), || async move {
            let sql = format!(
                "SELECT {STATE_COLUMNS} FROM states WHERE workflow_id = ? AND type_id = 1 AND is_deleted = 0 ORDER BY id LIMIT 1"
            );
            Ok(on_pool!(self, |pool| sqlx::query_as::<_, State>(&sql)
                .bind(workflow_id)
                .fetch_optional(pool)
                .await?))
        })
        .await
    }

    pub async fn state(&self, id: i64) -> StoreResult<Option<State>> {
        self.cached("state", id.to_string(), || async move {
            let sql = format!("SELECT {STATE_COLUMNS} FROM states WHERE id = ? AND is_deleted = 0");
            Ok(on_pool!(self, |pool| sqlx::query_as::<_, State>(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await?))
        })
        .await
    }

    /// Non-deleted states of a workflow whose name contains `name`, by order_id then id.
    pub async fn states_page(
        &self,
        workflow_id: i64,
        name: Option<&str>,
        window_for: impl FnOnce(i64) -> Window,
    ) -> StoreResult<Page<State>> {
        let (filter, args) = super::workflow_rows_filter("states", workflow_id, &["name"], name);
        Ok(fetch_page!(
            self,
            State,
            count: format!("SELECT COUNT(*) FROM {filter}"),
            list: format!("SELECT {STATE_COLUMNS} FROM {filter} ORDER BY order_id, id LIMIT ? OFFSET ?"),
            args: &args,
            window_for: window_for
        ))
    }

    /// Non-deleted transitions leaving a state, timer transitions included, by id.
    pub async fn transitions_from(&self, state_id: i64) -> StoreResult<Vec<Transition>> {
        self.cached("transitions_from", state_id.to_string(), || async move {
            let sql = format!(
                "SELECT {TRANSITION_COLUMNS} FROM transitions WHERE source_state_id = ? AND is_deleted = 0 ORDER BY id"
            );
            Ok(on_pool!(self, |pool| sqlx::query_as::<_, Transition>(&sql)
                .bind(state_id)
                .fetch_all(pool)
                .await?))
        })
        .await
    }

    /// Non-deleted custom field definitions of a workflow, by id.
    pub async fn custom_fields(&self, workflow_id: i64) -> StoreResult<Vec<CustomField>> {
        self.cached("custom_fields", workflow_id.to_string(), || async move {
            let sql = format!(
                "SELECT {CUSTOM_FIELD_COLUMNS} FROM custom_fields WHERE workflow_id = ? AND is_deleted = 0 ORDER BY id"
            );
            Ok(on_pool!(self, |pool| sqlx::query_as::<_, CustomField>(&sql)
                .bind(workflow_id)
                .fetch_all(pool)
                .await?))
        })
        .await
    }

    /// States among these ids, deleted ones included (history shows them), by id.
    pub async fn states_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<State>> {
        self.cached("states_by_ids", format!("{ids:?}"), || async move {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {STATE_COLUMNS} FROM states WHERE id IN ({}) ORDER BY id",
                placeholders(ids.len())
            );
            Ok(fetch_binding_each!(self, State, &sql, ids))
        })
        .await
    }

    /// Transitions among these ids, deleted ones included (history shows them), by id.
    pub async fn transitions_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<Transition>> {
        self.cached("transitions_by_ids", format!("{ids:?}"), || async move {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {TRANSITION_COLUMNS} FROM transitions WHERE id IN ({}) ORDER BY id",
                placeholders(ids.len())
            );
            Ok(fetch_binding_each!(self, Transition, &sql, ids))
        })
        .await
    }

    /// Workflows among these ids, deleted ones included (lists name them), by id.
    pub async fn workflows_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<Workflow>> {
        self.cached("workflows_by_ids", format!("{ids:?}"), || async move {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE id IN ({}) ORDER BY id",
                placeholders(ids.len())
            );
            Ok(fetch_binding_each!(self, Workflow, &sql, ids))
        })
        .await
    }

    /// The non-deleted states of a workflow, by order_id then id.
    pub async fn states_of_workflow(&self, workflow_id: i64) -> StoreResult<Vec<State>> {
        self.cached("states_of_workflow", workflow_id.to_string(), || async move {
            let sql = format!(
                "SELECT {STATE_COLUMNS} FROM states WHERE workflow_id = ? AND is_deleted = 0 ORDER BY order_id, id"
            );
            Ok(on_pool!(self, |pool| sqlx::query_as::<_, State>(&sql)
                .bind(workflow_id)
                .fetch_all(pool)
                .await?))
        })
        .await
    }

    /// The first non-deleted end state (type 2) of a workflow.
    pub async fn end_state(&self, workflow_id: i64) -> StoreResult<Option<State>> {
        self.cached("end_state", workflow_id.to_string(), || async move {
            let sql = format!(
                "SELECT {STATE_COLUMNS} FROM states WHERE workflow_id = ? AND type_id = 2 AND is_deleted = 0 ORDER BY id LIMIT 1"
            );
            Ok(on_pool!(self, |pool| sqlx::query_as::<_, State>(&sql)
                .bind(workflow_id)
                .fetch_optional(pool)
                .await?))
        })
        .await
    }

    /// A non-deleted transition.
    pub async fn transition(&self, id: i64) -> StoreResult<Option<Transition>> {
        self.cached("transition", id.to_string(), || async move {
            let sql = format!("SELECT {TRANSITION_COLUMNS} FROM transitions WHERE id = ? AND is_deleted = 0");
            Ok(on_pool!(self, |pool| sqlx::query_as::<_, Transition>(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await?))
        })
        .await
    }
}
