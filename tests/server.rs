//! `grebe serve` and `grebe migrate` as a user runs them: the start line, the demo flags,
//! restarts on the same database, and graceful shutdown.

use std::process::Command;

use crate::support::Client;
use crate::support::server::{DEMO_APP, DEMO_TOKEN, Database};
use crate::support::{Backend, Server, on_both_backends};

on_both_backends!(
    start_line_has_url_app_token_and_a_working_curl,
    restart_keeps_data_and_can_replace_the_demo_token,
    demo_app_can_be_renamed,
    no_demo_starts_an_empty_server,
    migrate_applies_the_schema_and_exits,
    sigterm_stops_the_server_cleanly,
);

async fn start_line_has_url_app_token_and_a_working_curl(backend: Backend) {
    let server = Server::start(backend).await;
    let line = server.start_line().to_string();
    assert!(line.contains(&server.base_url), "{line}");
    assert!(line.contains(&format!("{DEMO_APP:?}")), "{line}");
    assert!(line.contains(DEMO_TOKEN), "{line}");
    // The suggested command is pasted into a shell as is.
    let command = &line[line.find("ts=$(date +%s)").expect("a curl example")..];
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .output()
        .expect("run the curl example");
    let body: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON from the curl example");
    assert_eq!(body["code"], 0, "{body}");
    assert_eq!(body["data"]["total"], 3);
}

async fn restart_keeps_data_and_can_replace_the_demo_token(backend: Backend) {
    let mut server = Server::start(backend).await;
    server.restart(&[]);
    assert_eq!(
        server.client().get("/api/v1.0/workflows", "admin").await.data()["total"],
        3,
        "demo not loaded twice"
    );
    server.restart(&["--demo-token", "new-token"]);
    let old = server.client().get("/api/v1.0/workflows", "admin").await;
    old.assert_error("The signature you provide in request header is invalid");
    let fresh = server.client_for(DEMO_APP, "new-token");
    assert_eq!(fresh.get("/api/v1.0/workflows", "admin").await.data()["total"], 3);
    assert!(server.start_line().contains("new-token"));
}

async fn demo_app_can_be_renamed(backend: Backend) {
    let server = Server::start_with(backend, &["--demo-app", "oa", "--demo-token", "oa-token"]).await;
    let oa = server.client_for("oa", "oa-token");
    assert_eq!(oa.get("/api/v1.0/workflows", "admin").await.data()["total"], 3);
    server
        .client()
        .get("/api/v1.0/workflows", "admin")
        .await
        .assert_error("Appname:ops in request header is unauthorized");
}

async fn no_demo_starts_an_empty_server(backend: Backend) {
    let server = Server::start_with(backend, &["--no-demo"]).await;
    assert!(!server.start_line().contains("token"), "{}", server.start_line());
    server
        .client()
        .get("/api/v1.0/workflows", "admin")
        .await
        .assert_error("is unauthorized");
}

async fn migrate_applies_the_schema_and_exits(backend: Backend) {
    let db = Database::fresh(backend).await;
    for _ in 0..2 {
        let status = Command::new(env!("CARGO_BIN_EXE_grebe"))
            .args(["migrate", "--database-url", &db.url])
            .status()
            .expect("run grebe migrate");
        assert!(status.success(), "migrate is repeatable");
    }
    db.execute("SELECT COUNT(*) FROM tickets").await;
    let bad = Command::new(env!("CARGO_BIN_EXE_grebe"))
        .args(["migrate", "--database-url", "postgres://nowhere/db"])
        .output()
        .expect("run grebe migrate");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unsupported database url"));
}

async fn sigterm_stops_the_server_cleanly(backend: Backend) {
    let mut server = Server::start(backend).await;
    let client: Client = server.client();
    assert_eq!(client.get("/api/v1.0/workflows", "admin").await.code(), 0);
    let status = server.stop();
    assert!(status.success(), "exit status {status}");
}
