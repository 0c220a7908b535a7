//! `/api/v1.0/tickets…` (manual chapter 20, spec section 8).

use axum::extract::State as Shared;
use serde_json::{Map, Value, json};

use super::body::{JsonObject, only_keys, take_id, take_int, take_text};
use super::envelope::{ApiResult, ok};
use super::params::{Id, Params};
use super::shapes::{self, datetime, json_text};
use super::{ApiError, AppState, Caller};
use crate::engine::{
    Actions, Category, HandleRequest, NewTicketRequest, TicketQuery, TicketView, base_values,
    constants::{act_state, participant_type},
};

impl Caller {
    /// The acting username for ticket endpoints, with loonflow's message when missing.
    pub(super) fn ticket_user(&self) -> Result<&str, ApiError> {
        self.username
            .as_deref()
            .ok_or_else(|| ApiError::Client("参数不全，请提供username (the username header is missing)".into()))
    }
}

/// POST /api/v1.0/tickets
pub async fn create(Shared(state): Shared<AppState>, caller: Caller, body: JsonObject) -> ApiResult {
    let mut body = body.required("post参数为空: send workflow_id, transition_id and the field values")?;
    let username = caller.ticket_user()?.to_string();
    let workflow_id = take_id(&mut body, "workflow_id", "workflow_id is needed and type should be int")?;
    let transition_id = take_id(
        &mut body,
        "transition_id",
        "transition_id is needed and type should be int",
    )?;
    let suggestion = take_text(&mut body, "suggestion")?;
    let parent_ticket_id = take_int(&mut body, "parent_ticket_id")?.unwrap_or(0);
    let parent_ticket_state_id = take_int(&mut body, "parent_ticket_state_id")?.unwrap_or(0);
    body.remove("username");
    let request = NewTicketRequest {
        workflow_id,
        transition_id,
        username,
        suggestion,
        parent_ticket_id,
        parent_ticket_state_id,
        fields: body,
    };
    let ticket_id = state.engine.create_ticket(&caller.app, &request).await?;
    Ok(ok(json!({"ticket_id": ticket_id})))
}

fn category(params: &Params) -> Result<Category, ApiError> {
    Ok(match params.text("category") {
        Some("all") => Category::All,
        Some("owner") => Category::Owner,
        Some("duty") => Category::Duty,
        Some("relation") => Category::Relation,
        Some("worked") => Category::Worked,
        _ => {
            return Err(ApiError::Client(
                "category value is invalid, it should be in all, owner, duty, relation, worked".into(),
            ));
        }
    })
}

/// GET /api/v1.0/tickets
pub async fn list(Shared(state): Shared<AppState>, caller: Caller, params: Params) -> ApiResult {
    let query = TicketQuery {
        category: category(&params)?,
        username: caller.username.clone(),
        sn: params.text("sn").map(str::to_string),
        title: params.text("title").map(str::to_string),
        create_start: params.datetime("create_start")?,
        create_end: params.datetime("create_end")?,
        workflow_ids: params.ids("workflow_ids")?,
        state_ids: params.ids("state_ids")?.unwrap_or_default(),
        ticket_ids: params.ids("ticket_ids")?.unwrap_or_default(),
        act_state_id: params.optional_int("act_state_id")?,
        is_end: params.optional_flag("is_end")?,
        is_rejected: params.optional_flag("is_rejected")?,
        parent_ticket_id: params.optional_int("parent_ticket_id")?,
        parent_ticket_state_id: params.optional_int("parent_ticket_state_id")?,
        from_admin: params.flag("from_admin")?,
        creator: params.text("creator").map(str::to_string),
        newest_first: params.int("reverse", 1)? != 0,
        paging: params.paging()?,
    };
    let page = state.engine.list_tickets(&caller.app, &query).await?;
    Ok(ok(shapes::page(
        page,
        query.paging.page,
        query.paging.per_page,
        list_item,
    )))
}

/// A list item: the row dict plus state, participant, creator and workflow (under both the
/// code's `workflow_info` and the manual's `workflow`).
fn list_item(view: TicketView) -> Value {
    let mut item = base_values(&view.ticket);
    let (state_name, state_label) = view.state.as_ref().map_or((String::new(), json!({})), |state| {
        (state.name.clone(), json_text(&state.label))
    });
    item.insert(
        "state".into(),
        json!({"state_id": view.ticket.state_id, "state_name": state_name, "state_label": state_label}),
    );
    item.insert(
        "participant_info".into(),
        shapes::participant_info(&view.participant_info),
    );
    item.insert("creator_info".into(), shapes::creator_info(&view.creator));
    let workflow_name = view.workflow.as_ref().map(|w| w.name.clone()).unwrap_or_default();
    let workflow = json!({"workflow_id": view.ticket.workflow_id, "workflow_name": workflow_name});
    item.insert("workflow_info".into(), workflow.clone());
    item.insert("workflow".into(), workflow);
    Value::Object(item)
}

/// GET /api/v1.0/tickets/{id}
pub async fn detail(Shared(state): Shared<AppState>, caller: Caller, Id(ticket_id): Id) -> ApiResult {
    let username = caller.ticket_user()?;
    let detail = state.engine.ticket_detail(&caller.app, ticket_id, username).await?;
    let view = &detail.view;
    let mut value = base_values(&view.ticket);
    value.insert(
        "field_list".into(),
        detail.fields.iter().map(shapes::field_entry).collect(),
    );
    value.insert("creator_info".into(), shapes::creator_info(&view.creator));
    let state_info = view.state.as_ref().map_or(json!({}), |found| {
        let mut info = shapes::state_dict(found, true);
        if found.participant_type_id == participant_type::HOOK {
            info.insert("participant".into(), json!("hook"));
        }
        Value::Object(info)
    });
    value.insert("state_info".into(), state_info);
    // The manual documents is_end in the detail; loonflow's code never sent it.
    let is_end = matches!(view.ticket.act_state_id, act_state::FINISHED | act_state::CLOSED);
    value.insert("is_end".into(), json!(is_end));
    Ok(ok(json!({"value": value})))
}

fn pseudo_transition(name: &str, is_accept: bool, in_add_node: bool) -> Value {
    json!({
        "transition_id": 0, "transition_name": name, "field_require_check": false, "is_accept": is_accept,
        "in_add_node": in_add_node, "alert_enable": false, "alert_text": "", "attribute_type_id": 3
    })
}

/// GET /api/v1.0/tickets/{id}/transitions
pub async fn transitions(Shared(state): Shared<AppState>, caller: Caller, Id(ticket_id): Id) -> ApiResult {
    let username = caller.ticket_user()?;
    let value: Vec<Value> = match state.engine.available_actions(&caller.app, ticket_id, username).await? {
        Actions::Nothing => Vec::new(),
        Actions::FinishAddNode => vec![pseudo_transition("完成", false, true)],
        Actions::Accept => vec![pseudo_transition("接单", true, false)],
        Actions::Transitions(transitions) => transitions
            .iter()
            .map(|t| {
                json!({
                    "transition_id": t.id, "transition_name": t.name, "field_require_check": t.field_require_check,
                    "is_accept": false, "in_add_node": false, "alert_enable": t.alert_enable,
                    "alert_text": t.alert_text, "attribute_type_id": t.attribute_type_id
                })
            })
            .collect(),
    };
    Ok(ok(json!({"value": value})))
}

/// PATCH /api/v1.0/tickets/{id}
pub async fn handle(Shared(state): Shared<AppState>, caller: Caller, Id(ticket_id): Id, body: JsonObject) -> ApiResult {
    let mut body = body.required("patch参数为空: send transition_id and the field values")?;
    let username = caller.ticket_user()?.to_string();
    let transition_id = take_id(
        &mut body,
        "transition_id",
        "transition_id is needed and type should be int",
    )?;
    let suggestion = take_text(&mut body, "suggestion")?;
    body.remove("username");
    let request = HandleRequest {
        ticket_id,
        transition_id,
        username,
        suggestion,
        fields: body,
    };
    state.engine.handle_ticket(&caller.app, &request).await?;
    Ok(ok(json!({"value": true})))
}

/// GET /api/v1.0/tickets/{id}/flowlogs
pub async fn flow_logs(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(ticket_id): Id,
    params: Params,
) -> ApiResult {
    caller.ticket_user()?;
    let paging = params.paging()?;
    let with_data = params.int("ticket_data", 0)? != 0;
    let page = state.engine.flow_logs(&caller.app, ticket_id, paging).await?;
    Ok(ok(shapes::page(page, paging.page, paging.per_page, |view| {
        let mut item = view.to_json();
        if with_data {
            item["ticket_data"] = json_text(&view.log.ticket_data);
        }
        item
    })))
}

/// GET /api/v1.0/tickets/{id}/flowsteps
pub async fn flow_steps(Shared(state): Shared<AppState>, caller: Caller, Id(ticket_id): Id) -> ApiResult {
    caller.ticket_user()?;
    let (steps, current_state_id) = state.engine.flow_steps(&caller.app, ticket_id).await?;
    let value: Vec<Value> = steps
        .iter()
        .map(|step| {
            let logs: Vec<Value> = step
                .logs
                .iter()
                .map(|view| {
                    let log = &view.log;
                    json!({
                        "id": log.id,
                        "transition": {"transition_name": view.transition_name, "transition_id": log.transition_id},
                        "participant_type_id": log.participant_type_id,
                        "participant": log.participant,
                        "participant_info": view.participant_info(),
                        "intervene_type_id": log.intervene_type_id,
                        "suggestion": log.suggestion,
                        "state_id": log.state_id,
                        "attribute_type_id": view.attribute_type_id,
                        "gmt_created": datetime(&log.gmt_created),
                    })
                })
                .collect();
            json!({
                "state_id": step.state.id, "state_name": step.state.name, "order_id": step.state.order_id,
                "state_flow_log_list": logs
            })
        })
        .collect();
    Ok(ok(json!({"value": value, "current_state_id": current_state_id})))
}

/// GET /api/v1.0/tickets/states?ticket_ids=1,2,3
pub async fn states(Shared(state): Shared<AppState>, caller: Caller, params: Params) -> ApiResult {
    let ids = params
        .ids("ticket_ids")?
        .ok_or_else(|| ApiError::Client("ticket_ids is needed, e.g. ticket_ids=1,2,3".into()))?;
    let found = state.engine.ticket_states(&caller.app, &ids).await?;
    let data: Map<String, Value> = found
        .into_iter()
        .map(|(id, found)| {
            let (state_id, state_name) = found.map_or((0, String::new()), |s| (s.id, s.name));
            (id.to_string(), json!({"state_id": state_id, "state_name": state_name}))
        })
        .collect();
    Ok(ok(Value::Object(data)))
}

/// PATCH /api/v1.0/tickets/{id}/fields
pub async fn update_fields(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(ticket_id): Id,
    body: JsonObject,
) -> ApiResult {
    let body = body.required("post参数为空: send the field values to change")?;
    let username = caller.ticket_user()?;
    state
        .engine
        .update_fields(&caller.app, ticket_id, username, &body)
        .await?;
    Ok(ok(json!({})))
}

/// POST /api/v1.0/tickets/{id}/comments
pub async fn comment(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(ticket_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.or_empty();
    only_keys(&body, &["suggestion"])?;
    let suggestion = take_text(&mut body, "suggestion")?;
    if suggestion.trim().is_empty() {
        return Err(ApiError::Client("请求参数不合法:suggestion is needed".into()));
    }
    let username = caller
        .username
        .as_deref()
        .ok_or_else(|| ApiError::Client("ticket_id and username should not be null".into()))?;
    state
        .engine
        .add_comment(&caller.app, ticket_id, username, &suggestion)
        .await?;
    Ok(super::envelope::ok_with_msg(json!({}), "add ticket comment successful"))
}

/// GET /api/v1.0/tickets/{id}/participant_info
pub async fn participant_info(Shared(state): Shared<AppState>, caller: Caller, Id(ticket_id): Id) -> ApiResult {
    let (names, users) = state.engine.current_handlers(&caller.app, ticket_id).await?;
    let infos: Vec<Value> = users
        .iter()
        .map(|u| json!({"username": u.username, "alias": u.alias, "phone": u.phone, "email": u.email}))
        .collect();
    Ok(ok(
        json!({"participant_username_list": names, "participant_info_list": infos}),
    ))
}

/// GET /api/v1.0/tickets/num_statistics
pub async fn num_statistics(Shared(state): Shared<AppState>, caller: Caller, params: Params) -> ApiResult {
    let username = caller.ticket_user()?;
    let counts = state
        .engine
        .tickets_per_day(
            &caller.app,
            username,
            params.date("start_date")?,
            params.date("end_date")?,
        )
        .await?;
    let data: Vec<Value> = counts
        .iter()
        .map(|c| json!({"day": c.day, "type": c.workflow_name, "count": c.count}))
        .collect();
    Ok(ok(Value::Array(data)))
}
