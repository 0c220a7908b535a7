//! Workflows as documents (a Grebe addition): `GET /api/v1.0/workflows/{id}/export` and
//! `POST /api/v1.0/workflows/import`, the same documents `grebe workflow export|import` use.

use axum::extract::State as Shared;
use serde_json::{Value, json};

use super::body::JsonObject;
use super::envelope::{ApiResult, ok};
use super::params::Id;
use super::{ApiError, AppState, Caller};
use crate::engine::WorkflowDocument;

/// GET /api/v1.0/workflows/{id}/export
pub async fn export(Shared(state): Shared<AppState>, caller: Caller, Id(workflow_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let document = state.engine.export_workflow(&actor, workflow_id).await?;
    let value = serde_json::to_value(document).map_err(|error| ApiError::Internal(error.to_string()))?;
    Ok(ok(value))
}

/// POST /api/v1.0/workflows/import — creates the workflow, or updates the one of that name.
pub async fn import(Shared(state): Shared<AppState>, caller: Caller, body: JsonObject) -> ApiResult {
    let body = body.required("post参数为空: send a workflow document, as export gives it")?;
    let document: WorkflowDocument = serde_json::from_value(Value::Object(body))
        .map_err(|error| ApiError::Client(format!("请求参数不合法:invalid workflow document: {error}")))?;
    let actor = caller.actor(&state.engine).await?;
    let outcome = state.engine.import_workflow(&actor, &document).await?;
    Ok(ok(
        json!({"workflow_id": outcome.workflow_id, "created": outcome.created}),
    ))
}
