//! `/api/v1.0/workflows…` management (spec 9.2-9.14): workflows, their states, transitions
//! and custom fields, the workflows a user manages, and Grebe's validate and graph views.
//! Bodies are closed: keys outside the lists below are refused. PATCH changes only the keys
//! sent.

use std::collections::HashMap;

use axum::extract::State as Shared;
use serde_json::{Map, Value, json};

use super::body::{
    JsonObject, only_keys, put, take_flag, take_int, take_json_text, take_list_text, take_optional_text,
};
use super::envelope::{ApiResult, ok};
use super::params::{Id, Ids, Params};
use super::shapes::{self, datetime, json_text};
use super::{ApiError, AppState, Caller};
use crate::engine::GraphFormat;
use crate::engine::split_names;
use crate::store::{CustomField, FieldValues, StateValues, Transition, TransitionValues, Workflow, WorkflowValues};

const WORKFLOW_KEYS: &[&str] = &[
    "name",
    "description",
    "notices",
    "view_permission_check",
    "limit_expression",
    "display_form_str",
    "workflow_admin",
    "title_template",
    "content_template",
];

const STATE_KEYS: &[&str] = &[
    "name",
    "order_id",
    "type_id",
    "participant_type_id",
    "participant",
    "distribute_type_id",
    "is_hidden",
    "enable_retreat",
    "remember_last_man_enable",
    "state_field_str",
    "label",
    "sub_workflow_id",
];

const TRANSITION_KEYS: &[&str] = &[
    "name",
    "transition_type_id",
    "timer",
    "source_state_id",
    "destination_state_id",
    "condition_expression",
    "attribute_type_id",
    "field_require_check",
    "alert_enable",
    "alert_text",
];

const FIELD_KEYS: &[&str] = &[
    "field_key",
    "field_name",
    "field_type_id",
    "order_id",
    "default_value",
    "description",
    "field_template",
    "boolean_field_display",
    "field_choice",
    "label",
];

fn apply_workflow(
    body: &mut Map<String, Value>,
    values: &mut WorkflowValues,
    admins: &mut Vec<String>,
) -> Result<(), ApiError> {
    only_keys(body, WORKFLOW_KEYS)?;
    put(&mut values.name, take_optional_text(body, "name")?);
    put(&mut values.description, take_optional_text(body, "description")?);
    put(&mut values.notices, take_list_text(body, "notices")?);
    put(
        &mut values.view_permission_check,
        take_flag(body, "view_permission_check")?,
    );
    put(&mut values.limit_expression, take_json_text(body, "limit_expression")?);
    put(&mut values.display_form_str, take_json_text(body, "display_form_str")?);
    put(&mut values.title_template, take_optional_text(body, "title_template")?);
    put(
        &mut values.content_template,
        take_optional_text(body, "content_template")?,
    );
    put(
        admins,
        take_list_text(body, "workflow_admin")?.map(|names| split_names(&names)),
    );
    Ok(())
}

fn apply_state(body: &mut Map<String, Value>, values: &mut StateValues) -> Result<(), ApiError> {
    only_keys(body, STATE_KEYS)?;
    put(&mut values.name, take_optional_text(body, "name")?);
    put(&mut values.order_id, take_int(body, "order_id")?);
    put(&mut values.type_id, take_int(body, "type_id")?);
    put(&mut values.participant_type_id, take_int(body, "participant_type_id")?);
    put(&mut values.participant, take_json_text(body, "participant")?);
    put(&mut values.distribute_type_id, take_int(body, "distribute_type_id")?);
    put(&mut values.is_hidden, take_flag(body, "is_hidden")?);
    put(&mut values.enable_retreat, take_flag(body, "enable_retreat")?);
    put(
        &mut values.remember_last_man_enable,
        take_flag(body, "remember_last_man_enable")?,
    );
    put(&mut values.state_field_str, take_json_text(body, "state_field_str")?);
    put(&mut values.label, take_json_text(body, "label")?);
    put(&mut values.sub_workflow_id, take_int(body, "sub_workflow_id")?);
    Ok(())
}

fn apply_transition(body: &mut Map<String, Value>, values: &mut TransitionValues) -> Result<(), ApiError> {
    only_keys(body, TRANSITION_KEYS)?;
    put(&mut values.name, take_optional_text(body, "name")?);
    put(&mut values.transition_type_id, take_int(body, "transition_type_id")?);
    put(&mut values.timer, take_int(body, "timer")?);
    put(&mut values.source_state_id, take_int(body, "source_state_id")?);
    put(
        &mut values.destination_state_id,
        take_int(body, "destination_state_id")?,
    );
    put(
        &mut values.condition_expression,
        take_json_text(body, "condition_expression")?,
    );
    put(&mut values.attribute_type_id, take_int(body, "attribute_type_id")?);
    put(&mut values.field_require_check, take_flag(body, "field_require_check")?);
    put(&mut values.alert_enable, take_flag(body, "alert_enable")?);
    put(&mut values.alert_text, take_optional_text(body, "alert_text")?);
    Ok(())
}

fn apply_field(body: &mut Map<String, Value>, values: &mut FieldValues) -> Result<(), ApiError> {
    only_keys(body, FIELD_KEYS)?;
    put(&mut values.field_key, take_optional_text(body, "field_key")?);
    put(&mut values.field_name, take_optional_text(body, "field_name")?);
    put(&mut values.field_type_id, take_int(body, "field_type_id")?);
    put(&mut values.order_id, take_int(body, "order_id")?);
    put(&mut values.default_value, take_optional_text(body, "default_value")?);
    put(&mut values.description, take_optional_text(body, "description")?);
    put(&mut values.field_template, take_optional_text(body, "field_template")?);
    put(
        &mut values.boolean_field_display,
        take_json_text(body, "boolean_field_display")?,
    );
    put(&mut values.field_choice, take_json_text(body, "field_choice")?);
    put(&mut values.label, take_json_text(body, "label")?);
    Ok(())
}

/// The workflow row dict (spec 12.2).
fn workflow_dict(workflow: &Workflow) -> Value {
    json!({
        "id": workflow.id,
        "creator": workflow.creator,
        "gmt_created": datetime(&workflow.gmt_created),
        "gmt_modified": datetime(&workflow.gmt_modified),
        "is_deleted": workflow.is_deleted,
        "name": workflow.name,
        "description": workflow.description,
        "notices": workflow.notices,
        "view_permission_check": workflow.view_permission_check,
        "limit_expression": workflow.limit_expression,
        "display_form_str": workflow.display_form_str,
        "title_template": workflow.title_template,
        "content_template": workflow.content_template,
    })
}

/// The transition row dict with its states named (spec 9.12).
fn transition_item(transition: Transition, state_names: &HashMap<i64, String>) -> Value {
    let source_name = state_names
        .get(&transition.source_state_id)
        .map_or("未知", String::as_str);
    let destination_name = match state_names.get(&transition.destination_state_id) {
        Some(name) => name.as_str(),
        None if transition.condition_expression.trim() != "[]" => "见条件表达式",
        None => "请指定目标状态或设置条件表达式",
    };
    json!({
        "id": transition.id,
        "creator": transition.creator,
        "gmt_created": datetime(&transition.gmt_created),
        "gmt_modified": datetime(&transition.gmt_modified),
        "is_deleted": transition.is_deleted,
        "name": transition.name,
        "workflow_id": transition.workflow_id,
        "transition_type_id": transition.transition_type_id,
        "timer": transition.timer,
        "source_state_id": transition.source_state_id,
        "destination_state_id": transition.destination_state_id,
        "condition_expression": transition.condition_expression,
        "attribute_type_id": transition.attribute_type_id,
        "field_require_check": transition.field_require_check,
        "alert_enable": transition.alert_enable,
        "alert_text": transition.alert_text,
        "source_state_info": {"name": source_name, "id": transition.source_state_id},
        "destination_state_info": {"name": destination_name, "id": transition.destination_state_id},
    })
}

/// The custom-field row dict with its JSON columns parsed (spec 9.14).
fn field_item(field: CustomField) -> Value {
    json!({
        "id": field.id,
        "creator": field.creator,
        "gmt_created": datetime(&field.gmt_created),
        "gmt_modified": datetime(&field.gmt_modified),
        "is_deleted": field.is_deleted,
        "workflow_id": field.workflow_id,
        "field_type_id": field.field_type_id,
        "field_key": field.field_key,
        "field_name": field.field_name,
        "order_id": field.order_id,
        "default_value": field.default_value,
        "description": field.description,
        "field_template": field.field_template,
        "boolean_field_display": json_text(&field.boolean_field_display),
        "field_choice": json_text(&field.field_choice),
        "label": json_text(&field.label),
    })
}

/// POST /api/v1.0/workflows
pub async fn create(Shared(state): Shared<AppState>, caller: Caller, body: JsonObject) -> ApiResult {
    let mut body = body.required("post参数为空: send at least the workflow's name")?;
    let actor = caller.actor(&state.engine).await?;
    let id = state
        .engine
        .save_workflow(&actor, None, |values, admins| apply_workflow(&mut body, values, admins))
        .await?;
    Ok(ok(json!({"workflow_id": id})))
}

/// GET /api/v1.0/workflows/user_admin
pub async fn user_admin(Shared(state): Shared<AppState>, caller: Caller) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let workflows = state.engine.administered_workflows(&actor).await?;
    Ok(ok(workflows.iter().map(workflow_dict).collect()))
}

/// GET /api/v1.0/workflows/{id}
pub async fn detail(Shared(state): Shared<AppState>, caller: Caller, Id(workflow_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let detail = state.engine.workflow_detail(&actor, workflow_id).await?;
    Ok(ok(super::workflows::workflow_item(detail)))
}

/// PATCH /api/v1.0/workflows/{id}
pub async fn update(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(workflow_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.required("patch参数为空: send the settings to change")?;
    let actor = caller.actor(&state.engine).await?;
    state
        .engine
        .save_workflow(&actor, Some(workflow_id), |values, admins| {
            apply_workflow(&mut body, values, admins)
        })
        .await?;
    Ok(ok(json!({})))
}

/// DELETE /api/v1.0/workflows/{id}
pub async fn delete(Shared(state): Shared<AppState>, caller: Caller, Id(workflow_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    state.engine.delete_workflow(&actor, workflow_id).await?;
    Ok(ok(json!({})))
}

/// GET /api/v1.0/workflows/{id}/validate — every problem of the workflow (a Grebe addition).
pub async fn validate(Shared(state): Shared<AppState>, caller: Caller, Id(workflow_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let problems = state.engine.validate_workflow(&actor, workflow_id).await?;
    Ok(ok(json!({"valid": problems.is_empty(), "problems": problems})))
}

/// GET /api/v1.0/workflows/{id}/graph?format=mermaid|dot (a Grebe addition).
pub async fn graph(Shared(state): Shared<AppState>, caller: Caller, Id(workflow_id): Id, params: Params) -> ApiResult {
    let format = match params.text("format") {
        None | Some("mermaid") => GraphFormat::Mermaid,
        Some("dot") => GraphFormat::Dot,
        Some(other) => {
            return Err(ApiError::Client(format!(
                "format must be mermaid or dot, got {other:?}"
            )));
        }
    };
    let actor = caller.actor(&state.engine).await?;
    let graph = state.engine.workflow_graph(&actor, workflow_id, format).await?;
    Ok(ok(json!({"format": format.name(), "graph": graph})))
}

/// POST /api/v1.0/workflows/{id}/states
pub async fn create_state(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(workflow_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.required("post参数为空: send the state's name and settings")?;
    let actor = caller.actor(&state.engine).await?;
    let id = state
        .engine
        .save_state(&actor, workflow_id, None, |values| apply_state(&mut body, values))
        .await?;
    Ok(ok(json!({"state_id": id})))
}

/// GET /api/v1.0/workflows/{id}/states/{state_id}
pub async fn state_of_workflow(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Ids(workflow_id, state_id): Ids,
) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let found = state.engine.workflow_state(&actor, workflow_id, state_id).await?;
    Ok(ok(Value::Object(shapes::state_dict(&found, true))))
}

/// PATCH /api/v1.0/workflows/{id}/states/{state_id}
pub async fn update_state(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Ids(workflow_id, state_id): Ids,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.required("patch参数为空: send the settings to change")?;
    let actor = caller.actor(&state.engine).await?;
    state
        .engine
        .save_state(&actor, workflow_id, Some(state_id), |values| {
            apply_state(&mut body, values)
        })
        .await?;
    Ok(ok(json!({})))
}

/// DELETE /api/v1.0/workflows/{id}/states/{state_id}
pub async fn delete_state(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Ids(workflow_id, state_id): Ids,
) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    state.engine.delete_state(&actor, workflow_id, state_id).await?;
    Ok(ok(json!({})))
}

/// GET /api/v1.0/workflows/{id}/transitions
pub async fn transitions(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(workflow_id): Id,
    params: Params,
) -> ApiResult {
    let paging = params.paging()?;
    let actor = caller.actor(&state.engine).await?;
    let listing = state
        .engine
        .list_transitions(&actor, workflow_id, params.text("search_value"), paging)
        .await?;
    let names = listing.state_names;
    Ok(ok(shapes::page(listing.page, paging.page, paging.per_page, |t| {
        transition_item(t, &names)
    })))
}

/// POST /api/v1.0/workflows/{id}/transitions
pub async fn create_transition(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(workflow_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.required("post参数为空: send the transition's name, states and settings")?;
    let actor = caller.actor(&state.engine).await?;
    let id = state
        .engine
        .save_transition(&actor, workflow_id, None, |values| apply_transition(&mut body, values))
        .await?;
    Ok(ok(json!({"value": {"transition_id": id}})))
}

/// GET /api/v1.0/workflows/{id}/transitions/{transition_id}
pub async fn transition(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Ids(workflow_id, transition_id): Ids,
) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let listing = state
        .engine
        .workflow_transition(&actor, workflow_id, transition_id)
        .await?;
    let names = listing.state_names;
    let item = listing
        .page
        .items
        .into_iter()
        .next()
        .map(|t| transition_item(t, &names));
    Ok(ok(item.unwrap_or_default()))
}

/// PATCH /api/v1.0/workflows/{id}/transitions/{transition_id}
pub async fn update_transition(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Ids(workflow_id, transition_id): Ids,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.required("patch参数为空: send the settings to change")?;
    let actor = caller.actor(&state.engine).await?;
    state
        .engine
        .save_transition(&actor, workflow_id, Some(transition_id), |values| {
            apply_transition(&mut body, values)
        })
        .await?;
    Ok(ok(json!({})))
}

/// DELETE /api/v1.0/workflows/{id}/transitions/{transition_id}
pub async fn delete_transition(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Ids(workflow_id, transition_id): Ids,
) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    state
        .engine
        .delete_transition(&actor, workflow_id, transition_id)
        .await?;
    Ok(ok(json!({})))
}

/// GET /api/v1.0/workflows/{id}/custom_fields
pub async fn fields(Shared(state): Shared<AppState>, caller: Caller, Id(workflow_id): Id, params: Params) -> ApiResult {
    let paging = params.paging()?;
    let actor = caller.actor(&state.engine).await?;
    let page = state
        .engine
        .list_fields(&actor, workflow_id, params.text("search_value"), paging)
        .await?;
    Ok(ok(shapes::page(page, paging.page, paging.per_page, field_item)))
}

/// POST /api/v1.0/workflows/{id}/custom_fields
pub async fn create_field(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(workflow_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.required("post参数为空: send the field's key, name, type and order")?;
    let actor = caller.actor(&state.engine).await?;
    let id = state
        .engine
        .save_field(&actor, workflow_id, None, |values| apply_field(&mut body, values))
        .await?;
    Ok(ok(json!({"value": {"custom_field_id": id}})))
}

/// GET /api/v1.0/workflows/{id}/custom_fields/{field_id}
pub async fn field(Shared(state): Shared<AppState>, caller: Caller, Ids(workflow_id, field_id): Ids) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let found = state.engine.workflow_field(&actor, workflow_id, field_id).await?;
    Ok(ok(field_item(found)))
}

/// PATCH /api/v1.0/workflows/{id}/custom_fields/{field_id}
pub async fn update_field(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Ids(workflow_id, field_id): Ids,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.required("patch参数为空: send the settings to change")?;
    let actor = caller.actor(&state.engine).await?;
    state
        .engine
        .save_field(&actor, workflow_id, Some(field_id), |values| {
            apply_field(&mut body, values)
        })
        .await?;
    Ok(ok(json!({})))
}

/// DELETE /api/v1.0/workflows/{id}/custom_fields/{field_id} — loonflow answers with an
/// empty id.
pub async fn delete_field(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Ids(workflow_id, field_id): Ids,
) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    state.engine.delete_field(&actor, workflow_id, field_id).await?;
    Ok(ok(json!({"value": {"custom_field_id": ""}})))
}
