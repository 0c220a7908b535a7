//! JSON request bodies: an object, with errors in loonflow's wording that name the problem.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value};

use super::ApiError;

/// The body as a JSON object; `None` when the body is empty.
pub struct JsonObject(pub Option<Map<String, Value>>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<JsonObject, ApiError> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| ApiError::Client(format!("请求参数不合法:{}", rejection.body_text())))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonObject(None));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(JsonObject(Some(map))),
            Ok(other) => Err(ApiError::Client(format!(
                "请求参数不合法:the body must be a JSON object, got {other}"
            ))),
            Err(error) => Err(ApiError::Client(format!("请求参数不合法:{error}"))),
        }
    }
}

impl JsonObject {
    /// The object, or `{}` for an empty body (endpoints whose keys are all optional).
    pub fn or_empty(self) -> Map<String, Value> {
        self.0.unwrap_or_default()
    }

    /// The object, or `empty_message` as the error for an empty body.
    pub fn required(self, empty_message: &str) -> Result<Map<String, Value>, ApiError> {
        self.0.ok_or_else(|| ApiError::Client(empty_message.to_string()))
    }
}

/// Removes and returns an integer key; booleans are refused, as loonflow's schema does not
/// accept them everywhere and they are never meant.
pub fn take_int(body: &mut Map<String, Value>, key: &str) -> Result<Option<i64>, ApiError> {
    match body.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) if number.is_i64() => Ok(number.as_i64()),
        Some(other) => Err(ApiError::Client(format!("{key} must be an integer, got {other}"))),
    }
}

/// Removes and returns a required non-zero integer key, with `message` when it is missing.
pub fn take_id(body: &mut Map<String, Value>, key: &str, message: &str) -> Result<i64, ApiError> {
    match take_int(body, key) {
        Ok(Some(id)) if id > 0 => Ok(id),
        Ok(_) => Err(ApiError::Client(message.to_string())),
        Err(_) => Err(ApiError::Client(message.to_string())),
    }
}

/// Removes and returns a flag given as a boolean or 0/1 (`default` when absent).
pub fn take_flag(body: &mut Map<String, Value>, key: &str, default: bool) -> Result<bool, ApiError> {
    match body.remove(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(flag)) => Ok(flag),
        Some(Value::Number(number)) if number.is_i64() => Ok(number.as_i64() != Some(0)),
        Some(other) => Err(ApiError::Client(format!(
            "{key} must be 0, 1, true or false, got {other}"
        ))),
    }
}

/// Removes and returns a string key ('' when absent).
pub fn take_text(body: &mut Map<String, Value>, key: &str) -> Result<String, ApiError> {
    match body.remove(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(text)) => Ok(text),
        Some(other) => Err(ApiError::Client(format!("{key} must be a string, got {other}"))),
    }
}

/// Refuses keys outside `allowed`, as loonflow's closed schemas do.
pub fn only_keys(body: &Map<String, Value>, allowed: &[&str]) -> Result<(), ApiError> {
    match body.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(key) => Err(ApiError::Client(format!(
            "请求参数不合法:Wrong key '{key}' (allowed: {})",
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}
