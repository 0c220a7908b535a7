//! Outbound HTTP for hooks and notices: one signed JSON POST with a timeout and a capped
//! answer. It knows no loonflow rule; the engine decides what an answer means.

use std::time::Duration;

use serde_json::Value;

/// Every outbound call has a timeout (S11).
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Answers longer than this are not read on.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// Why a delivery did not get a JSON answer.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryError {
    /// The receiver could not be reached, timed out or answered 5xx: trying later may work.
    Passing(String),
    /// The receiver answered, but not with JSON.
    Answered(String),
}

impl std::fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeliveryError::Passing(reason) | DeliveryError::Answered(reason) => f.write_str(reason),
        }
    }
}

/// Reads a response body, refusing one longer than `cap` bytes.
pub async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|error| error.to_string())? {
        if body.len() + chunk.len() > cap {
            return Err(format!("the answer is longer than {cap} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// POSTs `body` as JSON to `url` with `headers` and expects a JSON answer.
pub async fn post_json(
    client: &reqwest::Client,
    url: &str,
    headers: &[(&str, String)],
    body: &Value,
) -> Result<Value, DeliveryError> {
    let mut request = client.post(url).timeout(TIMEOUT).json(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request
        .send()
        .await
        .map_err(|error| DeliveryError::Passing(format!("could not reach {url}: {error}")))?;
    let status = response.status();
    if status.is_server_error() {
        return Err(DeliveryError::Passing(format!("{url} answered HTTP {status}")));
    }
    let bytes = read_capped(response, MAX_ANSWER_BYTES)
        .await
        .map_err(|error| DeliveryError::Passing(format!("reading the answer of {url}: {error}")))?;
    serde_json::from_slice(&bytes).map_err(|error| {
        DeliveryError::Answered(format!(
            "{url} answered HTTP {status} with a body that is not JSON: {error}"
        ))
    })
}
