//! Loonflow's response envelope `{"code", "msg", "data"}` and the one mapping from errors to it.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::engine::{AuthError, EngineError};

/// A successful answer: `code` 0, empty `msg`.
pub fn ok(data: Value) -> Response {
    Json(json!({"code": 0, "msg": "", "data": data})).into_response()
}

/// A successful answer with loonflow's fixed success text in `msg` (an object for the
/// account create endpoints).
pub fn ok_with_msg(data: Value, msg: impl Into<Value>) -> Response {
    let msg: Value = msg.into();
    Json(json!({"code": 0, "msg": msg, "data": data})).into_response()
}

/// Everything a handler can fail with. Client errors name the field and the problem; internal
/// errors are logged with the request's span and answered with a generic message.
#[derive(Debug)]
pub enum ApiError {
    /// The signature check failed (loonflow's middleware answer: `data` is `[]`).
    Auth(String),
    /// Bad input, an unknown object or a refused permission.
    Client(String),
    /// No such route, or a path id that is not a non-negative integer.
    NotFound(String),
    MethodNotAllowed,
    Internal(String),
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> ApiError {
        match error {
            EngineError::Invalid(msg) | EngineError::NotFound(msg) | EngineError::Denied(msg) => ApiError::Client(msg),
            EngineError::Store(error) => ApiError::Internal(error.to_string()),
            EngineError::Unavailable(reason) => ApiError::Internal(reason),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> ApiError {
        match error {
            AuthError::Store(error) => ApiError::Internal(error.to_string()),
            other => ApiError::Auth(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, msg, data) = match self {
            ApiError::Auth(msg) => (StatusCode::OK, format!("permission check fail：{msg}"), json!([])),
            ApiError::Client(msg) => (StatusCode::OK, msg, json!({})),
            ApiError::NotFound(msg) => (StatusCode::NOT_FOUND, msg, json!({})),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this path".to_string(),
                json!({}),
            ),
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; the server log has the details under this request's x-request-id".to_string(),
                    json!({}),
                )
            }
        };
        (status, Json(json!({"code": -1, "msg": msg, "data": data}))).into_response()
    }
}

pub type ApiResult = Result<Response, ApiError>;
