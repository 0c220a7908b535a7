//! The plugin registry over REST, plugins routing tickets, and hostile plugins contained
//! while ordinary requests go on.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::fixtures::{Flow, Handlers};
use crate::support::plugins::{path, wasm};
use crate::support::server::Database;
use crate::support::{Backend, Client, Server, on_both_backends};

on_both_backends!(
    admins_register_inspect_change_and_delete_plugins,
    registration_refuses_what_is_not_a_plugin_of_its_kind,
    a_resolver_and_a_condition_route_tickets,
    hostile_plugins_fail_their_call_and_nothing_else,
    dry_runs_report_usage_and_output,
    the_cli_registers_lists_and_runs_plugins,
);

async fn dry_run(client: &Client, id: i64, body: Value) -> Value {
    client
        .post(&format!("/api/v1.0/plugins/{id}/dry_run"), "admin", body)
        .await
        .data()
        .clone()
}

async fn admins_register_inspect_change_and_delete_plugins(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let bytes = wasm("dept-leader");
    let refused = client
        .send_bytes(
            Method::POST,
            "/api/v1.0/plugins?name=dept-leader&kind=participant-resolver",
            "webb",
            bytes.clone(),
        )
        .await;
    refused.assert_error("plugins are managed by super admins only");
    let answer = client
        .send_bytes(
            Method::POST,
            "/api/v1.0/plugins?name=dept-leader&kind=participant-resolver&version=2.1.0&fuel=5000000",
            "admin",
            bytes.clone(),
        )
        .await;
    let plugin = answer.data().clone();
    let id = plugin["id"].as_i64().unwrap();
    assert_eq!(plugin["name"], "dept-leader");
    assert_eq!(plugin["version"], "2.1.0");
    assert_eq!(plugin["kind"], "participant-resolver");
    assert_eq!(plugin["enabled"], true);
    assert_eq!(plugin["limits"]["fuel"], 5_000_000);
    assert_eq!(plugin["limits"]["memory_bytes"], 64 << 20);
    assert_eq!(plugin["size_bytes"], bytes.len());
    assert_eq!(plugin["content_hash"].as_str().unwrap().len(), 64);
    assert_eq!(plugin["registered_by"], "admin");
    client
        .send_bytes(
            Method::POST,
            "/api/v1.0/plugins?name=dept-leader&kind=participant-resolver&version=2.1.0",
            "admin",
            bytes.clone(),
        )
        .await
        .assert_error("plugin dept-leader@2.1.0 is registered already");

    let listed = client.get("/api/v1.0/plugins", "admin").await;
    assert_eq!(listed.data()["total"], 1);
    assert_eq!(
        client.get(&format!("/api/v1.0/plugins/{id}"), "admin").await.data()["id"],
        id
    );
    client
        .get("/api/v1.0/plugins/999", "admin")
        .await
        .assert_error("plugin 999 is not registered");
    client
        .get("/api/v1.0/plugins", "hr")
        .await
        .assert_error("super admins only");

    let changed = client
        .patch(
            &format!("/api/v1.0/plugins/{id}"),
            "admin",
            json!({"enabled": false, "limits": {"time_ms": 200}}),
        )
        .await;
    assert_eq!(changed.data()["enabled"], false);
    assert_eq!(changed.data()["limits"]["time_ms"], 200);
    assert_eq!(changed.data()["limits"]["fuel"], 5_000_000, "limits not sent stay");
    client
        .patch(
            &format!("/api/v1.0/plugins/{id}"),
            "admin",
            json!({"limits": {"memory_bytes": 0}}),
        )
        .await
        .assert_error("limit memory_bytes must be between 1 and");
    client
        .patch(&format!("/api/v1.0/plugins/{id}"), "admin", json!({"color": "red"}))
        .await
        .assert_error("Wrong key 'color'");
    client
        .patch(
            &format!("/api/v1.0/plugins/{id}"),
            "admin",
            json!({"allowed_hosts": ["ftp://x"]}),
        )
        .await
        .assert_error("allowed host \"ftp://x\"");

    // A multipart upload registers another version.
    let form = reqwest::multipart::Form::new()
        .text("name", "dept-leader")
        .text("kind", "participant-resolver")
        .text("version", "3.0.0")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("dept_leader.wasm"),
        );
    let mut request = reqwest::Client::new()
        .post(format!("{}/api/v1.0/plugins", server.base_url))
        .multipart(form);
    for (name, value) in client.signed_headers(Some("admin")) {
        request = request.header(name, value);
    }
    let body: Value = request.send().await.unwrap().json().await.unwrap();
    assert_eq!(body["code"], 0, "{body}");
    assert_eq!(body["data"]["version"], "3.0.0");

    let deleted = client
        .send(
            Method::DELETE,
            &format!("/api/v1.0/plugins/{id}"),
            client.signed_headers(Some("admin")),
            None,
        )
        .await;
    assert_eq!(deleted.code(), 0);
    assert_eq!(client.get("/api/v1.0/plugins", "admin").await.data()["total"], 1);
}

async fn registration_refuses_what_is_not_a_plugin_of_its_kind(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let register = |query: &'static str, bytes: Vec<u8>| {
        let client = server.client();
        async move {
            client
                .send_bytes(Method::POST, &format!("/api/v1.0/plugins?{query}"), "admin", bytes)
                .await
        }
    };
    register("name=x&kind=participant-resolver", b"not wasm at all".to_vec())
        .await
        .assert_error("plugin x@1.0.0 was not registered: not a valid WebAssembly component");
    register("name=x&kind=participant-resolver", Vec::new())
        .await
        .assert_error("the plugin's .wasm is missing");
    register("name=x&kind=condition-evaluator", wasm("dept-leader"))
        .await
        .assert_error("does not export the condition-evaluator world");
    register("name=x&kind=participant-resolver", wasm("fetcher"))
        .await
        .assert_error("imports grebe:plugin/http@1.0.0, which a participant-resolver plugin may not use");
    register("name=x&kind=robot", wasm("dept-leader"))
        .await
        .assert_error("kind must be participant-resolver");
    register("name=bad%20name&kind=participant-resolver", wasm("dept-leader"))
        .await
        .assert_error("name must be");
    register("name=x&kind=participant-resolver&fuel=abc", wasm("dept-leader"))
        .await
        .assert_error("fuel must be a positive integer");
    register(
        "name=x&kind=participant-resolver&memory_bytes=99999999999",
        wasm("dept-leader"),
    )
    .await
    .assert_error("limit memory_bytes must be between 1 and");
    assert_eq!(
        client.get("/api/v1.0/plugins", "admin").await.data()["total"],
        0,
        "nothing was stored"
    );
    // A hook may import HTTP.
    let hook = register("name=fetcher&kind=hook", wasm("fetcher")).await;
    assert_eq!(hook.data()["kind"], "hook");
}

/// Workflow 120: the approver is the first leader up the creator's department chain with role
/// 1; amounts above the department's threshold go to a second approval.
async fn install_plugin_flow(db: &Database) {
    let conditions = json!([{
        "plugin": "amount-threshold",
        "args": {"field": "amount", "thresholds": {"7": 1000, "default": 5000}},
        "target_state_id": 2003
    }])
    .to_string();
    Flow::new(120, "plugins")
        .field(2000, "amount", 15, 10)
        .state(2000, "start", 1, Handlers(0, "", 2), r#"{"title":2,"amount":2}"#)
        .state(
            2001,
            "leader",
            0,
            Handlers(6, r#"{"plugin":"dept-leader","args":{"role_id":1}}"#, 2),
            r#"{"title":1}"#,
        )
        .state(2002, "done", 2, Handlers(0, "", 2), "{}")
        .state(2003, "big amount", 0, Handlers(1, "admin", 2), r#"{"title":1}"#)
        .transition(2000, "submit", 2000, 2001, 1)
        .transition(2001, "approve", 2001, 2002, 1)
        .transition(2002, "approve", 2003, 2002, 1)
        .sql(&format!(
            "UPDATE transitions SET condition_expression = '{conditions}' WHERE id = 2001"
        ))
        .install(db)
        .await;
}

async fn a_resolver_and_a_condition_route_tickets(backend: Backend) {
    let server = Server::start(backend).await;
    install_plugin_flow(&server.db).await;
    let client = server.client();
    let resolver = client
        .register_plugin("dept-leader", "participant-resolver", wasm("dept-leader"))
        .await;
    let condition = client
        .register_plugin("amount-threshold", "condition-evaluator", wasm("amount-threshold"))
        .await;
    let create = |creator: &'static str, amount: f64| {
        let client = server.client();
        async move {
            client
                .post(
                    "/api/v1.0/tickets",
                    creator,
                    json!({"workflow_id": 120, "transition_id": 2000, "title": "p", "amount": amount}),
                )
                .await
        }
    };
    // ops2 is in 运维部 (7), led by ops, who has role 1.
    let small = create("ops2", 800.0).await.data()["ticket_id"].as_i64().unwrap();
    let value = client.get(&format!("/api/v1.0/tickets/{small}"), "admin").await.data()["value"].clone();
    assert_eq!(
        (value["state_id"].clone(), value["participant"].clone()),
        (json!(2001), json!("ops"))
    );
    client.handle(small, "ops", 2001).await;
    assert_eq!(
        client.get(&format!("/api/v1.0/tickets/{small}"), "admin").await.data()["value"]["state_id"],
        2002
    );

    let big = create("ops2", 1500.0).await.data()["ticket_id"].as_i64().unwrap();
    client.handle(big, "ops", 2001).await;
    assert_eq!(
        client.get(&format!("/api/v1.0/tickets/{big}"), "admin").await.data()["value"]["state_id"],
        2003,
        "1500 is above 运维部's 1000"
    );

    // david's chain (5 → 4 → 1) has no leader with role 1: a clear error, nothing created.
    let refused = create("david", 10.0).await;
    refused.assert_error(
        "plugin dept-leader@1.0.0 answered with an error: no leader with role 1 above david's department",
    );
    server.db.execute("INSERT INTO user_roles (user_id, role_id, creator, gmt_created, gmt_modified) VALUES (6, 1, 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let by_lilian = create("david", 10.0).await.data()["ticket_id"].as_i64().unwrap();
    assert_eq!(
        client
            .get(&format!("/api/v1.0/tickets/{by_lilian}"), "admin")
            .await
            .data()["value"]["participant"],
        "lilian"
    );

    // Every call is on record.
    let runs = client.get(&format!("/api/v1.0/plugins/{resolver}/runs"), "admin").await;
    let outcomes: Vec<&str> = runs.data()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| run["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["ok", "refused", "ok", "ok"]);
    let newest = &runs.data()["value"][0];
    assert_eq!(newest["plugin"], "dept-leader@1.0.0");
    assert!(newest["fuel_used"].as_i64().unwrap() > 0);
    assert!(newest["wall_micros"].as_i64().unwrap() > 0);
    let condition_runs = client
        .get(&format!("/api/v1.0/plugins/{condition}/runs"), "admin")
        .await;
    assert_eq!(condition_runs.data()["value"].as_array().unwrap().len(), 2);
    assert_eq!(condition_runs.data()["value"][0]["ticket_id"], big);

    // Plugins in use cannot be deleted; a disabled one is an error where it is used.
    let delete = client
        .send(
            Method::DELETE,
            &format!("/api/v1.0/plugins/{resolver}"),
            client.signed_headers(Some("admin")),
            None,
        )
        .await;
    delete.assert_error("plugin dept-leader@1.0.0 is still used by state 2001 (leader)");
    client
        .patch(
            &format!("/api/v1.0/plugins/{resolver}"),
            "admin",
            json!({"enabled": false}),
        )
        .await
        .data();
    create("ops2", 5.0)
        .await
        .assert_error("plugin dept-leader is not registered or not enabled");
}

async fn hostile_plugins_fail_their_call_and_nothing_else(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let id = client
        .register_plugin("hostile", "participant-resolver", wasm("hostile"))
        .await;
    // Ordinary traffic runs alongside the hostile calls and must all succeed.
    let traffic = {
        let client = server.client();
        tokio::spawn(async move {
            let mut failures = Vec::new();
            for n in 0..40 {
                let answer = client.get("/api/v1.0/workflows", "admin").await;
                if answer.code() != 0 {
                    failures.push(format!("list {n}: {:?}", answer.body));
                }
                let created = client
                    .post(
                        "/api/v1.0/tickets",
                        "webb",
                        json!({"workflow_id": 1, "transition_id": 1, "title": format!("t{n}")}),
                    )
                    .await;
                if created.code() != 0 {
                    failures.push(format!("create {n}: {:?}", created.body));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            failures
        })
    };
    let cases = [
        ("loop", "exceeded its"),
        ("allocate", "exceeded its memory limit"),
        ("recurse", "exceeded its stack limit"),
        (
            "trap",
            "trapped: panicked: this plugin panics on purpose at hostile/src/lib.rs",
        ),
        ("huge-output", "exceeded its memory limit"),
        ("open-file", "answered with an error: open failed"),
        ("read-env", "answered with an error: the environment is empty"),
        ("host-calls", "exceeded its host calls limit"),
    ];
    let ticket = json!({"id": 1, "creator": "webb", "fields": {}});
    for (mode, expected) in cases {
        let report = dry_run(&client, id, json!({"ticket": ticket, "args": {"mode": mode}})).await;
        assert_eq!(report["ok"], false, "{mode}: {report}");
        let error = report["error"].as_str().unwrap();
        assert!(error.starts_with("plugin hostile@1.0.0 "), "{mode}: {error}");
        assert!(error.contains(expected), "{mode}: {error}");
    }
    let looping = dry_run(&client, id, json!({"ticket": ticket, "args": {"mode": "loop"}})).await;
    let error = looping["error"].as_str().unwrap();
    assert!(error.contains("fuel limit") || error.contains("time limit"), "{error}");
    // The well-behaved mode of the same component still works.
    let fine = dry_run(&client, id, json!({"ticket": ticket, "args": {"mode": "none"}})).await;
    assert_eq!(fine["answer"], json!(["webb"]));
    assert!(
        traffic.await.unwrap().is_empty(),
        "ordinary requests failed while plugins misbehaved"
    );

    // Used as a state's resolver, it fails the creation with the reason; nothing is created.
    Flow::new(121, "hostile")
        .state(2100, "start", 1, Handlers(0, "", 2), r#"{"title":2}"#)
        .state(
            2101,
            "hostile",
            0,
            Handlers(6, r#"{"plugin":"hostile","args":{"mode":"allocate"}}"#, 2),
            r#"{"title":1}"#,
        )
        .state(2102, "end", 2, Handlers(0, "", 2), "{}")
        .transition(2100, "submit", 2100, 2101, 1)
        .transition(2101, "done", 2101, 2102, 1)
        .install(&server.db)
        .await;
    client
        .post(
            "/api/v1.0/tickets",
            "webb",
            json!({"workflow_id": 121, "transition_id": 2100}),
        )
        .await
        .assert_error("plugin hostile@1.0.0 exceeded its memory limit");
    assert!(
        client
            .ticket_ids("category=all&workflow_ids=121", "webb")
            .await
            .is_empty()
    );
    let runs = client.get(&format!("/api/v1.0/plugins/{id}/runs"), "admin").await;
    assert_eq!(runs.data()["value"][0]["outcome"], "memory");
}

async fn dry_runs_report_usage_and_output(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let resolver = client
        .register_plugin("dept-leader", "participant-resolver", wasm("dept-leader"))
        .await;
    let report = dry_run(
        &client,
        resolver,
        json!({"ticket": {"creator": "ops2"}, "args": {"role_id": 1}}),
    )
    .await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["answer"], json!(["ops"]));
    assert!(report["fuel_used"].as_u64().unwrap() > 0);
    assert!(report["peak_memory"].as_u64().unwrap() > 0);
    assert!(report["micros"].as_u64().unwrap() > 0);
    let refused = dry_run(
        &client,
        resolver,
        json!({"ticket": {"creator": "ops2"}, "args": "not json"}),
    )
    .await;
    assert_eq!(refused["ok"], false);
    assert!(refused["error"].as_str().unwrap().contains("arguments are not JSON"));

    let chatty = client
        .register_plugin("hostile", "participant-resolver", wasm("hostile"))
        .await;
    let report = dry_run(
        &client,
        chatty,
        json!({"ticket": {"creator": "webb"}, "args": {"mode": "chatty"}}),
    )
    .await;
    assert_eq!(
        report["answer"],
        json!(["webb"]),
        "output beyond the cap is dropped, not fatal"
    );
    let output = report["output"].as_str().unwrap();
    assert!(
        output.starts_with("line 0 of a very chatty plugin"),
        "{}",
        &output[..80]
    );
    assert!(output.contains("more bytes dropped"));
    assert!(output.len() < 140_000, "stdio and log lines are capped at 64 KiB each");

    let condition = client
        .register_plugin("amount-threshold", "condition-evaluator", wasm("amount-threshold"))
        .await;
    let args = json!({"thresholds": {"default": 100}});
    let above = dry_run(
        &client,
        condition,
        json!({"ticket": {"creator": "webb", "fields": {"amount": 150}}, "args": args}),
    )
    .await;
    assert_eq!(above["answer"], true);
    let below = dry_run(
        &client,
        condition,
        json!({"ticket": {"creator": "webb", "fields": {"amount": "50"}}, "args": args}),
    )
    .await;
    assert_eq!(below["answer"], false);
    client
        .post(
            &format!("/api/v1.0/plugins/{condition}/dry_run"),
            "admin",
            json!({"tickets": 1}),
        )
        .await
        .assert_error("Wrong key 'tickets'");
    // Dry runs touch no ticket.
    assert!(client.ticket_ids("category=all", "admin").await.is_empty());
}

async fn the_cli_registers_lists_and_runs_plugins(backend: Backend) {
    let server = Server::start(backend).await;
    let grebe = env!("CARGO_BIN_EXE_grebe");
    let added = std::process::Command::new(grebe)
        .args(["plugin", "add"])
        .arg(path("template"))
        .args([
            "--name",
            "template",
            "--kind",
            "participant-resolver",
            "--database-url",
            &server.db.url,
        ])
        .output()
        .unwrap();
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert!(String::from_utf8_lossy(&added.stdout).contains("registered template@1.0.0 (participant-resolver)"));
    let listed = std::process::Command::new(grebe)
        .args(["plugin", "list", "--database-url", &server.db.url])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).contains("template@1.0.0"));
    let client = server.client();
    assert_eq!(
        client.get("/api/v1.0/plugins", "admin").await.data()["value"][0]["name"],
        "template"
    );

    let folder = std::env::temp_dir().join(format!("grebe-plugin-run-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let input = folder.join(format!("{backend:?}-ticket.json"));
    let directory = folder.join(format!("{backend:?}-directory.json"));
    std::fs::write(
        &input,
        json!({"ticket": {"creator": "zoe"}, "args": {"role_id": 9}}).to_string(),
    )
    .unwrap();
    std::fs::write(
        &directory,
        json!({"users": [{"username": "zoe", "dept_id": 2}, {"username": "kim", "dept_id": 1, "roles": [9]}],
               "depts": [{"id": 2, "parent_id": 1, "leader": "zoe"}, {"id": 1, "leader": "kim"}]})
        .to_string(),
    )
    .unwrap();
    let run = std::process::Command::new(grebe)
        .args(["plugin", "run"])
        .arg(path("dept-leader"))
        .args(["--kind", "participant-resolver", "--input"])
        .arg(&input)
        .arg("--directory")
        .arg(&directory)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["answer"], json!(["kim"]));
    assert!(report["fuel_used"].as_u64().unwrap() > 0);
    let _ = std::fs::write(
        &input,
        json!({"ticket": {"creator": "zoe"}, "args": {"mode": "loop"}}).to_string(),
    );
    let looping = std::process::Command::new(grebe)
        .args(["plugin", "run"])
        .arg(path("hostile"))
        .args([
            "--kind",
            "participant-resolver",
            "--time-ms",
            "100",
            "--fuel",
            "10000000000",
            "--input",
        ])
        .arg(&input)
        .output()
        .unwrap();
    assert!(!looping.status.success());
    let report: Value = serde_json::from_slice(&looping.stdout).unwrap();
    assert!(
        report["error"].as_str().unwrap().contains("exceeded its time limit"),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&folder);
}
