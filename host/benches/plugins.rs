//! Plugin latency, printed: one resolver call including a fresh instance, and a full
//! create-and-handle over HTTP through a state whose participants a plugin resolves.
//! Run with `cargo bench -p grebe-host --bench plugins`.

#[path = "../../tests/support/plugins.rs"]
mod plugins;

use std::sync::Arc;
use std::time::{Duration, Instant};

use grebe_host::api::{AppState, app};
use grebe_host::engine::{Engine, RegisterPlugin};
use grebe_host::plugins::{
    CallInput, Directory, DirectoryDept, DirectoryUser, Kind, Limits, PluginRuntime, PluginTicket,
};
use grebe_host::store::Store;
use md5::{Digest, Md5};
use serde_json::{Value, json};

const CALLS: usize = 5_000;
const REQUESTS: usize = 500;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let rank = ((p / 100.0) * samples.len() as f64).ceil().max(1.0) as usize;
    samples[rank.min(samples.len()) - 1]
}

fn report(what: &str, samples: &mut [Duration]) {
    let (p50, p99) = (percentile(samples, 50.0), percentile(samples, 99.0));
    println!(
        "{what:<58} n={:<6} p50 {:>9.1} µs   p99 {:>9.1} µs",
        samples.len(),
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6
    );
}

fn directory() -> Directory {
    let user = |name: &str, dept: i64, roles: Vec<i64>| DirectoryUser {
        username: name.into(),
        alias: name.into(),
        email: String::new(),
        phone: String::new(),
        dept_id: dept,
        is_active: true,
        roles,
    };
    let dept = |id: i64, parent: i64, leader: &str| DirectoryDept {
        id,
        name: format!("dept {id}"),
        parent_id: parent,
        leader: leader.into(),
        approvers: Vec::new(),
    };
    Directory::new(
        vec![
            user("ops2", 7, vec![]),
            user("ops", 7, vec![1]),
            user("lilian", 4, vec![]),
            user("admin", 1, vec![]),
        ],
        vec![dept(1, 0, "admin"), dept(4, 1, "lilian"), dept(7, 4, "ops")],
    )
}

fn plugin_calls() {
    let runtime = PluginRuntime::new().expect("runtime");
    let compiled = runtime
        .compile(&plugins::wasm("dept-leader"), Kind::ParticipantResolver)
        .expect("compile");
    let input = CallInput {
        ticket: PluginTicket {
            id: 1,
            creator: "ops2".into(),
            ..Default::default()
        },
        parent_fields: Vec::new(),
        args: r#"{"role_id":1}"#.into(),
        directory: Arc::new(directory()),
        allowed_hosts: Vec::new(),
    };
    let limits = Limits::default();
    for _ in 0..200 {
        runtime
            .resolve(&compiled, &limits, "dept-leader", &input)
            .result
            .expect("warm-up call");
    }
    let mut samples = Vec::with_capacity(CALLS);
    let mut fuel = 0;
    for _ in 0..CALLS {
        let started = Instant::now();
        let report = runtime.resolve(&compiled, &limits, "dept-leader", &input);
        samples.push(started.elapsed());
        assert_eq!(report.result.expect("resolves"), vec!["ops".to_string()]);
        fuel = report.fuel_used;
    }
    report("resolver call, fresh instance (dept-leader)", &mut samples);
    println!("  fuel per call: {fuel}");
}

fn sign(timestamp: &str, token: &str) -> String {
    Md5::new_with_prefix(timestamp.as_bytes())
        .chain_update(token.as_bytes())
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn http_requests() {
    let folder = std::env::temp_dir().join(format!("grebe-bench-plugins-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("bench folder");
    let store = Store::connect(&format!("sqlite://{}", folder.join("bench.db").display()))
        .await
        .expect("database");
    store.migrate().await.expect("migrations");
    store.load_demo("ops", "tok").await.expect("demo");
    let engine = Engine::new(store.clone()).expect("engine");
    engine
        .register_plugin(
            "admin",
            RegisterPlugin {
                name: "dept-leader".into(),
                kind: "participant-resolver".into(),
                version: "1.0.0".into(),
                limits: Limits::default(),
                allowed_hosts: Vec::new(),
                wasm: plugins::wasm("dept-leader"),
            },
        )
        .await
        .expect("register");
    // The fixture is written with SQL beside the store, so it increments the configuration
    // counter as any such tool must.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", folder.join("bench.db").display()))
        .await
        .expect("fixture connection");
    let stamp = "'2026-01-01 00:00:00', '2026-01-01 00:00:00'";
    for statement in [
        format!(
            "INSERT INTO workflows (id, name, description, notices, view_permission_check, limit_expression, display_form_str, title_template, content_template, creator, gmt_created, gmt_modified) VALUES (50, 'bench', '', '', 0, '{{}}', '[]', '', '', 'admin', {stamp})"
        ),
        format!(
            "INSERT INTO states (id, name, workflow_id, order_id, type_id, participant_type_id, participant, distribute_type_id, state_field_str, label, gmt_created, gmt_modified) VALUES (500, 'start', 50, 0, 1, 0, '', 2, '{{\"title\":2}}', '{{}}', {stamp})"
        ),
        format!(
            "INSERT INTO states (id, name, workflow_id, order_id, type_id, participant_type_id, participant, distribute_type_id, state_field_str, label, gmt_created, gmt_modified) VALUES (501, 'leader', 50, 1, 0, 6, '{{\"plugin\":\"dept-leader\",\"args\":{{\"role_id\":1}}}}', 2, '{{}}', '{{}}', {stamp})"
        ),
        format!(
            "INSERT INTO states (id, name, workflow_id, order_id, type_id, participant_type_id, participant, distribute_type_id, state_field_str, label, gmt_created, gmt_modified) VALUES (502, 'end', 50, 2, 2, 0, '', 2, '{{}}', '{{}}', {stamp})"
        ),
        format!(
            "INSERT INTO transitions (id, name, workflow_id, source_state_id, destination_state_id, condition_expression, attribute_type_id, field_require_check, gmt_created, gmt_modified) VALUES (500, 'submit', 50, 500, 501, '[]', 1, 0, {stamp})"
        ),
        format!(
            "INSERT INTO transitions (id, name, workflow_id, source_state_id, destination_state_id, condition_expression, attribute_type_id, field_require_check, gmt_created, gmt_modified) VALUES (501, 'approve', 50, 501, 502, '[]', 1, 0, {stamp})"
        ),
        "UPDATE app_tokens SET workflow_ids = '1,2,3,50' WHERE id = 1".to_string(),
        "UPDATE config_generation SET generation = generation + 1 WHERE id = 1".to_string(),
    ] {
        sqlx::query(&statement).execute(&pool).await.expect("bench fixture");
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("listener");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app(AppState { engine })).await });
    let client = reqwest::Client::new();
    let call = |method: reqwest::Method, path: String, user: &'static str, body: Value| {
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string();
        client
            .request(method, format!("{base}{path}"))
            .header("appname", "ops")
            .header("username", user)
            .header("signature", sign(&timestamp, "tok"))
            .header("timestamp", timestamp)
            .json(&body)
    };
    let mut samples = Vec::with_capacity(REQUESTS);
    for n in 0..REQUESTS + 20 {
        let started = Instant::now();
        let created: Value = call(
            reqwest::Method::POST,
            "/api/v1.0/tickets".into(),
            "ops2",
            json!({"workflow_id": 50, "transition_id": 500, "title": "bench"}),
        )
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("JSON");
        let id = created["data"]["ticket_id"]
            .as_i64()
            .unwrap_or_else(|| panic!("create failed: {created}"));
        let handled: Value = call(
            reqwest::Method::PATCH,
            format!("/api/v1.0/tickets/{id}"),
            "ops",
            json!({"transition_id": 501}),
        )
        .send()
        .await
        .expect("handle")
        .json()
        .await
        .expect("JSON");
        assert_eq!(handled["code"], 0, "handle failed: {handled}");
        if n >= 20 {
            samples.push(started.elapsed());
        }
    }
    report(
        "create + handle over HTTP, plugin-resolved state (SQLite)",
        &mut samples,
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&folder);
}

fn main() {
    plugin_calls();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(http_requests());
}
