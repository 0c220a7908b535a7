//! `/api/v1.0/workflows…` read endpoints (manual chapter 19, spec section 9).

use axum::extract::State as Shared;
use serde_json::{Value, json};

use super::envelope::{ApiResult, ok};
use super::params::{Id, Params};
use super::shapes::{self, datetime, json_text};
use super::{AppState, Caller};
use crate::engine::{StateListing, WorkflowListQuery, WorkflowSummary};

/// GET /api/v1.0/workflows — the name filter is read from `search_value` (loonflow's code) or
/// `name` (loonflow's manual).
pub async fn list(Shared(state): Shared<AppState>, caller: Caller, params: Params) -> ApiResult {
    let query = WorkflowListQuery {
        name: params
            .text("search_value")
            .or_else(|| params.text("name"))
            .map(str::to_string),
        from_admin: params.flag("from_admin")?,
        username: caller.username.clone(),
        paging: params.paging()?,
    };
    let page = state.engine.list_workflows(&caller.app, &query).await?;
    Ok(ok(shapes::page(
        page,
        query.paging.page,
        query.paging.per_page,
        workflow_item,
    )))
}

/// A workflow as the list shows it (spec 9.1); also the admin detail's shape.
pub(super) fn workflow_item(summary: WorkflowSummary) -> Value {
    let workflow = summary.workflow;
    json!({
        "id": workflow.id,
        "name": workflow.name,
        "description": workflow.description,
        "notices": workflow.notices,
        "view_permission_check": workflow.view_permission_check,
        "limit_expression": workflow.limit_expression,
        "display_form_str": workflow.display_form_str,
        "creator": workflow.creator,
        "gmt_created": datetime(&workflow.gmt_created),
        "title_template": workflow.title_template,
        "content_template": workflow.content_template,
        "workflow_admin": summary.admins.join(","),
    })
}

/// GET /api/v1.0/workflows/{id}/init_state
pub async fn init_state(Shared(state): Shared<AppState>, caller: Caller, Id(workflow_id): Id) -> ApiResult {
    caller.require_username()?;
    let init = state.engine.init_state(&caller.app, workflow_id).await?;
    let mut data = shapes::state_dict(&init.state, false);
    data.insert(
        "transition".into(),
        init.transitions
            .iter()
            .map(|transition| json!({"transition_id": transition.id, "transition_name": transition.name}))
            .collect(),
    );
    data.insert(
        "field_list".into(),
        init.fields.iter().map(shapes::field_entry).collect(),
    );
    Ok(ok(Value::Object(data)))
}

/// GET /api/v1.0/workflows/states/{id}
pub async fn state_detail(Shared(state): Shared<AppState>, caller: Caller, Id(state_id): Id) -> ApiResult {
    caller.require_username()?;
    let found = state.engine.state_detail(&caller.app, state_id).await?;
    let dict = shapes::state_dict(&found, true);
    Ok(ok(json!({
        "id": found.id,
        "name": found.name,
        "workflow_id": found.workflow_id,
        "sub_workflow_id": found.sub_workflow_id,
        "distribute_type_id": found.distribute_type_id,
        "is_hidden": found.is_hidden,
        "order_id": found.order_id,
        "type_id": found.type_id,
        "participant_type_id": found.participant_type_id,
        "participant": dict["participant"],
        "state_field": dict["state_field_str"],
        "label": json_text(&found.label),
        "creator": found.creator,
        "gmt_created": datetime(&found.gmt_created),
    })))
}

/// GET /api/v1.0/workflows/{id}/states
pub async fn states(Shared(state): Shared<AppState>, caller: Caller, Id(workflow_id): Id, params: Params) -> ApiResult {
    let paging = params.paging()?;
    let page = state
        .engine
        .list_states(&caller.app, workflow_id, params.text("search_value"), paging)
        .await?;
    Ok(ok(shapes::page(page, paging.page, paging.per_page, state_item)))
}

fn state_item(listing: StateListing) -> Value {
    let mut dict = shapes::state_dict(&listing.state, true);
    dict.insert(
        "participant_info".into(),
        shapes::participant_info(&listing.participant_info),
    );
    Value::Object(dict)
}
