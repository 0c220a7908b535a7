//! A small client that signs requests the way loonflow callers do.

use md5::{Digest, Md5};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct Client {
    http: reqwest::Client,
    base_url: String,
    app: String,
    token: String,
}

/// An answer: HTTP status, content type and the JSON body (`Null` if the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> i64 {
        self.body["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("no code in {:?}", self.body))
    }

    pub fn msg(&self) -> &str {
        self.body["msg"].as_str().unwrap_or_default()
    }

    /// `data` of a successful answer; panics with the message otherwise.
    pub fn data(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "HTTP status of {:?}", self.body);
        assert_eq!(self.code(), 0, "answer {:?}", self.body);
        &self.body["data"]
    }

    /// Asserts a code -1 answer whose message contains `needle`.
    pub fn assert_error(&self, needle: &str) {
        assert_eq!(self.code(), -1, "expected an error, got {:?}", self.body);
        assert!(
            self.msg().contains(needle),
            "message {:?} does not contain {needle:?}",
            self.msg()
        );
    }
}

pub fn sign(timestamp: &str, token: &str) -> String {
    let digest = Md5::new_with_prefix(timestamp.as_bytes())
        .chain_update(token.as_bytes())
        .finalize();
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

impl Client {
    pub fn new(base_url: &str, app: &str, token: &str) -> Client {
        Client {
            http: reqwest::Client::new(),
            base_url: base_url.to_string(),
            app: app.to_string(),
            token: token.to_string(),
        }
    }

    /// The four loonflow headers, signed now.
    pub fn signed_headers(&self, username: Option<&str>) -> Vec<(String, String)> {
        let timestamp = now().to_string();
        let mut headers = vec![
            ("appname".to_string(), self.app.clone()),
            ("signature".to_string(), sign(&timestamp, &self.token)),
            ("timestamp".to_string(), timestamp),
        ];
        if let Some(username) = username {
            headers.push(("username".to_string(), username.to_string()));
        }
        headers
    }

    /// GET as `username`, signed.
    pub async fn get(&self, path: &str, username: &str) -> Answer {
        self.send(Method::GET, path, self.signed_headers(Some(username)), None)
            .await
    }

    /// POST a JSON body as `username`, signed.
    pub async fn post(&self, path: &str, username: &str, body: Value) -> Answer {
        self.send(Method::POST, path, self.signed_headers(Some(username)), Some(body))
            .await
    }

    /// PATCH a JSON body as `username`, signed.
    pub async fn patch(&self, path: &str, username: &str, body: Value) -> Answer {
        self.send(Method::PATCH, path, self.signed_headers(Some(username)), Some(body))
            .await
    }

    /// DELETE as `username`, signed.
    pub async fn delete(&self, path: &str, username: &str) -> Answer {
        self.send(Method::DELETE, path, self.signed_headers(Some(username)), None)
            .await
    }

    /// Creates a ticket and returns its id, failing the test on an error.
    pub async fn create_ticket(&self, username: &str, body: Value) -> i64 {
        let answer = self.post("/api/v1.0/tickets", username, body).await;
        answer.data()["ticket_id"].as_i64().expect("ticket_id")
    }

    /// Handles a ticket with a transition, failing the test on an error.
    pub async fn handle(&self, ticket_id: i64, username: &str, transition_id: i64) {
        let answer = self
            .patch(
                &format!("/api/v1.0/tickets/{ticket_id}"),
                username,
                serde_json::json!({"transition_id": transition_id}),
            )
            .await;
        assert_eq!(
            answer.data()["value"],
            true,
            "handle {ticket_id} by {username} with {transition_id}"
        );
    }

    /// The ticket ids of a list as `username`, e.g. `category=duty`.
    pub async fn ticket_ids(&self, query: &str, username: &str) -> Vec<i64> {
        let answer = self.get(&format!("/api/v1.0/tickets?{query}"), username).await;
        answer.data()["value"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|item| item["id"].as_i64().expect("id"))
            .collect()
    }

    /// A request with a binary body.
    pub async fn send_bytes(&self, method: Method, path: &str, username: &str, body: Vec<u8>) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base_url)).body(body);
        for (name, value) in self.signed_headers(Some(username)) {
            request = request.header(name, value);
        }
        request = request.header("content-type", "application/wasm");
        Self::answer(request.send().await.expect("request reaches grebe")).await
    }

    /// Registers a plugin as `admin` and returns its id.
    pub async fn register_plugin(&self, name: &str, kind: &str, wasm: Vec<u8>) -> i64 {
        let answer = self
            .send_bytes(
                Method::POST,
                &format!("/api/v1.0/plugins?name={name}&kind={kind}"),
                "admin",
                wasm,
            )
            .await;
        answer.data()["id"].as_i64().expect("plugin id")
    }

    /// A request with a raw body text.
    pub async fn send_raw(&self, method: Method, path: &str, headers: Vec<(String, String)>, body: &str) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        Self::answer(request.send().await.expect("request reaches grebe")).await
    }

    /// Any request with exactly these headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: Vec<(String, String)>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base_url));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::answer(request.send().await.expect("request reaches grebe")).await
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let text = response.text().await.expect("response body");
        Answer {
            status,
            content_type,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }
}
