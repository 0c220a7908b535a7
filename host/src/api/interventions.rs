//! Ticket interventions (manual 20.5-20.8, 20.12, 20.19, 20.20; spec 8.6, 8.9, 8.11-8.14,
//! 8.18, 8.19).

use axum::extract::State as Shared;
use serde_json::{Value, json};

use super::body::{JsonObject, only_keys, take_flag, take_id, take_text};
use super::envelope::{ApiResult, ok};
use super::params::Id;
use super::{ApiError, AppState, Caller};

/// A non-empty `target_username`.
fn target(body: &mut serde_json::Map<String, Value>) -> Result<String, ApiError> {
    let target = take_text(body, "target_username")?;
    if target.trim().is_empty() {
        return Err(ApiError::Client("请求参数不合法:target_username is needed".into()));
    }
    Ok(target.trim().to_string())
}

/// The body of interventions that take only an optional `suggestion` (an empty body is fine).
fn suggestion_only(body: JsonObject) -> Result<String, ApiError> {
    let mut body = body.or_empty();
    only_keys(&body, &["suggestion"])?;
    take_text(&mut body, "suggestion")
}

/// POST /api/v1.0/tickets/{id}/accept
pub async fn accept(Shared(state): Shared<AppState>, caller: Caller, Id(ticket_id): Id) -> ApiResult {
    state
        .engine
        .accept(&caller.app, ticket_id, caller.ticket_user()?)
        .await?;
    Ok(ok(json!({})))
}

/// POST /api/v1.0/tickets/{id}/deliver
pub async fn deliver(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(ticket_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.or_empty();
    only_keys(&body, &["target_username", "from_admin", "suggestion"])?;
    let target = target(&mut body)?;
    let from_admin = take_flag(&mut body, "from_admin")?.unwrap_or(false);
    let suggestion = take_text(&mut body, "suggestion")?;
    state
        .engine
        .deliver(
            &caller.app,
            ticket_id,
            caller.ticket_user()?,
            &target,
            from_admin,
            &suggestion,
        )
        .await?;
    Ok(ok(json!(true)))
}

/// POST /api/v1.0/tickets/{id}/add_node
pub async fn add_node(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(ticket_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.or_empty();
    only_keys(&body, &["target_username", "suggestion"])?;
    let target = target(&mut body)?;
    let suggestion = take_text(&mut body, "suggestion")?;
    state
        .engine
        .add_node(&caller.app, ticket_id, caller.ticket_user()?, &target, &suggestion)
        .await?;
    Ok(ok(json!({})))
}

/// POST /api/v1.0/tickets/{id}/add_node_end
pub async fn add_node_end(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(ticket_id): Id,
    body: JsonObject,
) -> ApiResult {
    let suggestion = suggestion_only(body)?;
    state
        .engine
        .add_node_end(&caller.app, ticket_id, caller.ticket_user()?, &suggestion)
        .await?;
    Ok(ok(json!({})))
}

/// PUT /api/v1.0/tickets/{id}/state
pub async fn change_state(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(ticket_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.or_empty();
    only_keys(&body, &["state_id", "suggestion"])?;
    let state_id = take_id(&mut body, "state_id", "state_id is needed and type should be int")?;
    let suggestion = take_text(&mut body, "suggestion")?;
    state
        .engine
        .change_state(&caller.app, ticket_id, caller.ticket_user()?, state_id, &suggestion)
        .await?;
    Ok(ok(json!({})))
}

/// POST /api/v1.0/tickets/{id}/close
pub async fn close(Shared(state): Shared<AppState>, caller: Caller, Id(ticket_id): Id, body: JsonObject) -> ApiResult {
    let suggestion = suggestion_only(body)?;
    state
        .engine
        .close(&caller.app, ticket_id, caller.ticket_user()?, &suggestion)
        .await?;
    Ok(ok(json!("")))
}

/// POST /api/v1.0/tickets/{id}/retreat
pub async fn retreat(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(ticket_id): Id,
    body: JsonObject,
) -> ApiResult {
    let suggestion = suggestion_only(body)?;
    state
        .engine
        .retreat(&caller.app, ticket_id, caller.ticket_user()?, &suggestion)
        .await?;
    Ok(ok(json!({})))
}

/// DELETE /api/v1.0/tickets/{id}
pub async fn delete(Shared(state): Shared<AppState>, caller: Caller, Id(ticket_id): Id, body: JsonObject) -> ApiResult {
    let suggestion = suggestion_only(body)?;
    state
        .engine
        .delete_ticket(&caller.app, ticket_id, caller.ticket_user()?, &suggestion)
        .await?;
    Ok(ok(json!({})))
}
