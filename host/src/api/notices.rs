//! `/api/v1.0/workflows/custom_notices…` (spec 9.16): notice hooks, for super admins. Hook
//! tokens are shown masked; sending `***` back keeps the stored one.

use axum::extract::State as Shared;
use serde_json::{Map, Value, json};

use super::body::{JsonObject, only_keys, put, take_optional_text};
use super::envelope::{ApiResult, ok};
use super::params::{Id, Params};
use super::shapes::{self, datetime};
use super::{ApiError, AppState, Caller};
use crate::store::{Notice, NoticeValues};

const NOTICE_KEYS: &[&str] = &["name", "description", "hook_url", "hook_token"];

fn apply(body: &mut Map<String, Value>, values: &mut NoticeValues) -> Result<(), ApiError> {
    only_keys(body, NOTICE_KEYS)?;
    put(&mut values.name, take_optional_text(body, "name")?);
    put(&mut values.description, take_optional_text(body, "description")?);
    put(&mut values.hook_url, take_optional_text(body, "hook_url")?);
    put(&mut values.hook_token, take_optional_text(body, "hook_token")?);
    Ok(())
}

/// The notice row dict, its token masked.
fn notice_item(notice: Notice) -> Value {
    json!({
        "id": notice.id,
        "creator": notice.creator,
        "gmt_created": datetime(&notice.gmt_created),
        "gmt_modified": datetime(&notice.gmt_modified),
        "is_deleted": notice.is_deleted,
        "name": notice.name,
        "description": notice.description,
        "hook_url": notice.hook_url,
        "hook_token": "***",
    })
}

/// GET /api/v1.0/workflows/custom_notices
pub async fn list(Shared(state): Shared<AppState>, caller: Caller, params: Params) -> ApiResult {
    let paging = params.paging()?;
    let actor = caller.actor(&state.engine).await?;
    let page = state
        .engine
        .list_notices(&actor, params.text("search_value"), paging)
        .await?;
    Ok(ok(shapes::page(page, paging.page, paging.per_page, notice_item)))
}

/// POST /api/v1.0/workflows/custom_notices
pub async fn create(Shared(state): Shared<AppState>, caller: Caller, body: JsonObject) -> ApiResult {
    let mut body = body.required("post参数为空: send name, hook_url and hook_token")?;
    let actor = caller.actor(&state.engine).await?;
    let id = state
        .engine
        .save_notice(&actor, None, |values| apply(&mut body, values))
        .await?;
    Ok(ok(json!({"notice_id": id})))
}

/// GET /api/v1.0/workflows/custom_notices/{id}
pub async fn detail(Shared(state): Shared<AppState>, caller: Caller, Id(notice_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    Ok(ok(notice_item(state.engine.notice_detail(&actor, notice_id).await?)))
}

/// PATCH /api/v1.0/workflows/custom_notices/{id}
pub async fn update(Shared(state): Shared<AppState>, caller: Caller, Id(notice_id): Id, body: JsonObject) -> ApiResult {
    let mut body = body.required("patch参数为空: send the settings to change")?;
    let actor = caller.actor(&state.engine).await?;
    state
        .engine
        .save_notice(&actor, Some(notice_id), |values| apply(&mut body, values))
        .await?;
    Ok(ok(json!({})))
}

/// DELETE /api/v1.0/workflows/custom_notices/{id}
pub async fn delete(Shared(state): Shared<AppState>, caller: Caller, Id(notice_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    state.engine.delete_notice(&actor, notice_id).await?;
    Ok(ok(json!({})))
}
