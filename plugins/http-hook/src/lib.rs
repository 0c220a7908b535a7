//! Loonflow's URL hook written as a hook plugin. Arguments:
//! `{"url": "…", "token": "…", "wait": false, "extra_info": …, "transition": "name"}`.
//!
//! It POSTs every field of the ticket (plus `extra_info` when given) as JSON with loonflow's
//! `signature` (md5 of timestamp then token) and `timestamp` headers. An answer whose `code`
//! is 0 moves the ticket on by `transition` (a plugin names transitions, so the state's
//! transition must be named here), or waits for the callback with `wait`; anything else fails
//! the hook with the answer's `msg` or the error. The URL's host must be on the plugin's list
//! of allowed hosts.

use std::time::{SystemTime, UNIX_EPOCH};

use grebe_plugin_sdk::{Hook, Next, Outcome, Ticket, Value, http};
use md5::{Digest, Md5};
use serde_json::{Map, Value as Json, json};

struct HttpHook;

fn to_json(value: &Value) -> Json {
    match value {
        Value::Text(text) => Json::String(text.clone()),
        Value::Integer(number) => json!(number),
        Value::Number(number) => json!(number),
        Value::Boolean(flag) => Json::Bool(*flag),
        Value::Null => Json::Null,
    }
}

fn signature(timestamp: &str, token: &str) -> String {
    let digest = Md5::new_with_prefix(timestamp.as_bytes())
        .chain_update(token.as_bytes())
        .finalize();
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn header(name: &str, value: String) -> http::Header {
    http::Header {
        name: name.into(),
        value,
    }
}

impl Hook for HttpHook {
    fn run(ticket: Ticket, args: &str) -> Result<Outcome, String> {
        let args: Json = serde_json::from_str(args).map_err(|error| format!("the arguments are not JSON: {error}"))?;
        let url = args["url"].as_str().ok_or("the arguments name no url")?;
        let token = args["token"].as_str().unwrap_or("");
        let mut body: Map<String, Json> = ticket
            .fields
            .iter()
            .map(|field| (field.key.clone(), to_json(&field.value)))
            .collect();
        if !args["extra_info"].is_null() {
            body.insert("extra_info".into(), args["extra_info"].clone());
        }
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|since| since.as_secs())
            .unwrap_or(0)
            .to_string();
        // The ticket changes whenever it re-enters the state, so a receiver sees a new key
        // then and the same key for a repeated call.
        let modified = ticket
            .field("gmt_modified")
            .and_then(Value::as_text)
            .unwrap_or_default();
        let request = http::Request {
            method: "POST".into(),
            url: url.into(),
            headers: vec![
                header("content-type", "application/json".into()),
                header("signature", signature(&timestamp, token)),
                header("timestamp", timestamp),
                header(
                    "idempotency-key",
                    format!("hook-{}-{}-{modified}", ticket.id, ticket.state_id),
                ),
            ],
            body: Json::Object(body).to_string().into_bytes(),
            timeout_ms: 10_000,
        };
        let answer: Json = match http::send(&request) {
            Ok(response) => serde_json::from_slice(&response.body).unwrap_or_else(|error| {
                json!({"code": -1, "msg": format!("HTTP {} with a body that is not JSON: {error}", response.status)})
            }),
            Err(reason) => json!({"code": -1, "msg": reason}),
        };
        let msg = answer["msg"].as_str().unwrap_or("").to_string();
        let next = if answer["code"].as_i64() != Some(0) {
            Next::Fail(if msg.is_empty() {
                format!("the hook answered {answer}")
            } else {
                msg.clone()
            })
        } else if args["wait"].as_bool().unwrap_or(false) {
            Next::Wait
        } else {
            match args["transition"].as_str() {
                Some(name) => Next::Transition(name.into()),
                None => Next::Fail("the arguments name no transition to move on by".into()),
            }
        };
        Ok(Outcome {
            updates: Vec::new(),
            suggestion: msg,
            next,
        })
    }
}

grebe_plugin_sdk::export_hook!(HttpHook);
