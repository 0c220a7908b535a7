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

/// Removes and returns a string key ('' when absent).
pub fn take_text(body: &mut Map<String, Value>, key: &str) -> Result<String, ApiError> {
    Ok(take_optional_text(body, key)?.unwrap_or_default())
}

/// Removes and returns a string key; `None` when absent.
pub fn take_optional_text(body: &mut Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match body.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(ApiError::Client(format!("{key} must be a string, got {other}"))),
    }
}

/// Removes and returns a flag: `true`/`false` or `1`/`0`, as loonflow's int-typed flags.
pub fn take_flag(body: &mut Map<String, Value>, key: &str) -> Result<Option<bool>, ApiError> {
    match body.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(flag)) => Ok(Some(flag)),
        Some(Value::Number(number)) if number.as_i64() == Some(0) => Ok(Some(false)),
        Some(Value::Number(number)) if number.as_i64() == Some(1) => Ok(Some(true)),
        Some(other) => Err(ApiError::Client(format!(
            "{key} must be true, false, 1 or 0, got {other}"
        ))),
    }
}

/// Removes and returns a JSON-in-text column: a string is taken as the text, any other JSON
/// value as its JSON text.
pub fn take_json_text(body: &mut Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    Ok(match body.remove(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text),
        Some(other) => Some(other.to_string()),
    })
}

/// Removes and returns a comma list: a string as sent, a number, or a list of strings and
/// numbers joined by commas.
pub fn take_list_text(body: &mut Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    let item = |value: &Value| match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => Ok(number.to_string()),
        other => Err(ApiError::Client(format!(
            "{key} must be a comma-separated string or a list, got {other}"
        ))),
    };
    match body.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items.iter().map(item).collect::<Result<Vec<_>, _>>()?.join(","))),
        Some(other) => item(&other).map(Some),
    }
}

/// Sets `slot` to `value` when one was sent.
pub fn put<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
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
