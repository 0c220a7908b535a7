//! Signed calls to a loonflow r1.0 server, each one timed and recorded.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use md5::{Digest, Md5};
use reqwest::Method;
use serde_json::Value;

use crate::Error;
use crate::stats::Recorder;

/// A hung server must not stall a bounded run for ever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Where to send calls and how to sign them.
#[derive(Debug, Clone)]
pub struct Target {
    pub base_url: String,
    pub app: String,
    pub token: String,
}

/// One call that failed: the endpoint's name and the server's (or the transport's) message.
#[derive(Debug)]
pub struct CallError {
    pub endpoint: String,
    pub message: String,
}

impl From<CallError> for Error {
    fn from(error: CallError) -> Error {
        Error::Setup(format!("{}: {}", error.endpoint, error.message))
    }
}

/// One request: the endpoint name it is counted under, the path below `/api/v1.0`, the
/// acting user, query pairs and an optional JSON body.
pub struct Call<'a> {
    pub method: Method,
    pub endpoint: &'a str,
    pub path: &'a str,
    pub user: &'a str,
    pub query: &'a [(&'a str, &'a str)],
    pub body: Option<Value>,
}

impl<'a> Call<'a> {
    pub fn get(endpoint: &'a str, path: &'a str, user: &'a str) -> Call<'a> {
        Call {
            method: Method::GET,
            endpoint,
            path,
            user,
            query: &[],
            body: None,
        }
    }

    pub fn with_body(method: Method, endpoint: &'a str, path: &'a str, user: &'a str, body: Value) -> Call<'a> {
        Call {
            method,
            endpoint,
            path,
            user,
            query: &[],
            body: Some(body),
        }
    }

    pub fn query(self, query: &'a [(&'a str, &'a str)]) -> Call<'a> {
        Call { query, ..self }
    }
}

/// A shared keep-alive client for one server.
pub struct Api {
    http: reqwest::Client,
    api_root: String,
    app: String,
    token: String,
}

/// `md5(timestamp + token)` as lowercase hex: loonflow's signature.
pub fn signature(timestamp: &str, token: &str) -> String {
    let digest = Md5::new_with_prefix(timestamp.as_bytes())
        .chain_update(token.as_bytes())
        .finalize();
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl Api {
    /// A client whose pool keeps one idle connection per worker, so a steady run reuses
    /// connections instead of opening new ones.
    pub fn new(target: &Target, concurrency: usize) -> Result<Api, Error> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency)
            .tcp_nodelay(true)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|error| Error::Setup(format!("cannot build the HTTP client: {error}")))?;
        // Accept the server root or the API root.
        let root = target.base_url.trim_end_matches('/');
        let root = root.strip_suffix("/api/v1.0").unwrap_or(root);
        Ok(Api {
            http,
            api_root: format!("{root}/api/v1.0"),
            app: target.app.clone(),
            token: target.token.clone(),
        })
    }

    /// Sends a call signed now; records its latency on success or its message on failure,
    /// and returns the envelope's `data`.
    pub async fn call(&self, recorder: &Recorder, call: Call<'_>) -> Result<Value, CallError> {
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|since| since.as_secs())
            .unwrap_or_default()
            .to_string();
        let mut request = self
            .http
            .request(call.method, format!("{}{}", self.api_root, call.path))
            .header("appname", &self.app)
            .header("signature", signature(&timestamp, &self.token))
            .header("timestamp", timestamp)
            .header("username", call.user);
        if !call.query.is_empty() {
            request = request.query(call.query);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let started = Instant::now();
        let outcome = Self::exchange(request).await;
        let elapsed = started.elapsed();
        match outcome {
            Ok(data) => {
                recorder.ok(call.endpoint, elapsed);
                Ok(data)
            }
            Err(message) => {
                recorder.error(call.endpoint, &message);
                Err(CallError {
                    endpoint: call.endpoint.to_string(),
                    message,
                })
            }
        }
    }

    /// The envelope's `data` when `code` is 0, else a message naming what went wrong.
    async fn exchange(request: reqwest::RequestBuilder) -> Result<Value, String> {
        let response = request
            .send()
            .await
            .map_err(|error| format!("request failed: {}", with_causes(error)))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|error| format!("reading the answer failed: {}", with_causes(error)))?;
        let Ok(mut body) = serde_json::from_str::<Value>(&text) else {
            return Err(format!("HTTP {}: the answer is not JSON", status.as_u16()));
        };
        let code = body["code"].as_i64();
        let message = body["msg"].as_str().unwrap_or_default().to_string();
        if !status.is_success() {
            return Err(format!("HTTP {}: {message}", status.as_u16()));
        }
        match code {
            Some(0) => Ok(body["data"].take()),
            Some(code) if message.is_empty() => Err(format!("code {code} without a message")),
            Some(_) => Err(message),
            None => Err("the answer has no code".to_string()),
        }
    }
}

/// reqwest's own message is generic ("error sending request"); the causes say what happened.
/// The URL is left out so that failures of one endpoint group together.
fn with_causes(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut message = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        cause = inner.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_the_hex_md5_of_timestamp_then_token() {
        // md5("1523456789abc"), as loonflow's Python computes it.
        assert_eq!(signature("1523456789", "abc"), "50bc971b85c2dde69124ac478ec69ed1");
    }
}
