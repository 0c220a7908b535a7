//! A real local HTTP receiver for hooks and notices: it records every request (headers and
//! JSON body) and answers as the test says.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Value,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    }
}

/// How the receiver answers.
#[derive(Debug, Clone)]
pub enum Reply {
    Json(Value),
    Status(u16),
    /// Answer `{"code": 0}` only after this long.
    Slow(Duration),
}

#[derive(Clone)]
struct Shared {
    received: Arc<Mutex<Vec<Received>>>,
    reply: Arc<Mutex<Reply>>,
}

/// A receiver on 127.0.0.1, stopped on drop.
pub struct Receiver {
    pub port: u16,
    shared: Shared,
    task: JoinHandle<()>,
}

impl Receiver {
    /// A receiver answering `{"code": 0, "msg": "ok"}` on a free port.
    pub async fn start() -> Receiver {
        Receiver::start_on(0).await
    }

    /// A receiver on `port` (0: any free one).
    pub async fn start_on(port: u16) -> Receiver {
        let shared = Shared {
            received: Arc::default(),
            reply: Arc::new(Mutex::new(Reply::Json(json!({"code": 0, "msg": "ok"})))),
        };
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
            .await
            .expect("bind receiver");
        let port = listener.local_addr().expect("receiver address").port();
        let state = shared.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: axum::body::Bytes| {
            let state = state.clone();
            async move {
                let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                state.received.lock().unwrap().push(Received { headers, body });
                let reply = state.reply.lock().unwrap().clone();
                match reply {
                    Reply::Json(answer) => axum::Json(answer).into_response(),
                    Reply::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
                    Reply::Slow(delay) => {
                        tokio::time::sleep(delay).await;
                        axum::Json(json!({"code": 0, "msg": "slow"})).into_response()
                    }
                }
            }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { port, shared, task }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    pub fn reply(&self, reply: Reply) {
        *self.shared.reply.lock().unwrap() = reply;
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits until at least `count` requests arrived, for at most `limit`.
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<Received> {
        let started = Instant::now();
        while started.elapsed() < limit && self.received().len() < count {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.received()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}
