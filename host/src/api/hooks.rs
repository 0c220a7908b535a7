//! Hook endpoints (manual 20.15, 20.17; spec 8.15, 8.17 with B15).

use axum::extract::State as Shared;
use serde_json::{Map, Value, json};

use super::body::{JsonObject, only_keys, take_flag, take_text};
use super::envelope::{ApiResult, ok_with_msg};
use super::params::Id;
use super::{ApiError, AppState, Caller};

/// POST /api/v1.0/tickets/{id}/retry_script
pub async fn retry_script(Shared(state): Shared<AppState>, caller: Caller, Id(ticket_id): Id) -> ApiResult {
    state.engine.retry_hook(&caller.app, ticket_id).await?;
    Ok(ok_with_msg(json!({}), "Ticket script or hook retry start successful"))
}

/// POST /api/v1.0/tickets/{id}/hook_call_back
pub async fn hook_call_back(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(ticket_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.required("post参数为空")?;
    only_keys(&body, &["result", "msg", "field_value"])?;
    let result = take_flag(&mut body, "result")?.unwrap_or(true);
    let msg = take_text(&mut body, "msg")?;
    let fields = match body.remove("field_value") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(fields)) => fields,
        Some(other) => {
            return Err(ApiError::Client(format!("field_value must be an object, got {other}")));
        }
    };
    state
        .engine
        .hook_callback(&caller.app, ticket_id, result, &msg, fields)
        .await?;
    Ok(ok_with_msg(json!({}), "add ticket comment successful"))
}
