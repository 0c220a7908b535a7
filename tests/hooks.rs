//! State hooks (participant type 10) against real local receivers: the signed payload, wait
//! false and wait true with its callback, failures and retry_script, a receiver that comes up
//! late, a restart with a hook pending, and two processes delivering each hook once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::client::sign;
use crate::support::fixtures::{Flow, Handlers};
use crate::support::plugins::wasm;
use crate::support::receiver::{Receiver, Reply};
use crate::support::server::{DEMO_TOKEN, Database};
use crate::support::{Backend, Client, Server, on_both_backends};

on_both_backends!(
    a_hook_gets_the_signed_values_and_moves_the_ticket_on,
    a_slow_receiver_never_delays_the_state_change,
    a_failed_hook_is_marked_and_retry_script_runs_it_again,
    a_waiting_hook_moves_on_when_called_back,
    a_callback_with_a_false_result_marks_the_failure,
    a_receiver_that_is_down_gets_the_hook_once_it_is_up,
    a_server_error_is_retried_before_the_hook_fails,
    a_pending_hook_survives_a_restart,
    two_processes_deliver_each_hook_once,
    a_hook_plugin_does_what_the_url_hook_does,
    a_hook_plugin_may_not_call_a_host_it_is_not_allowed,
);

const TOKEN: &str = "hook-secret";

/// Workflow 106: "start" → "hooked" (type 10, writes `note`) → "review" (admin) → "end".
async fn install(db: &Database, url: &str, wait: bool) {
    let config = json!({"hook_url": url, "hook_token": TOKEN, "wait": wait, "extra_info": {"team": "ops"}});
    install_config(db, &config).await;
}

/// Workflow 106 with `config` as the hook state's participant.
async fn install_config(db: &Database, config: &Value) {
    Flow::new(106, "hooks")
        .state(1600, "start", 1, Handlers(0, "", 2), r#"{"title":2}"#)
        .state(
            1601,
            "hooked",
            0,
            Handlers(10, &config.to_string(), 2),
            r#"{"title":1,"note":3}"#,
        )
        .state(1602, "review", 0, Handlers(1, "admin", 2), r#"{"title":1,"note":1}"#)
        .state(1603, "end", 2, Handlers(0, "", 2), "{}")
        .transition(1600, "submit", 1600, 1601, 1)
        .transition(1601, "hooked", 1601, 1602, 1)
        .transition(1602, "done", 1602, 1603, 1)
        .field(1600, "note", 5, 10)
        .install(db)
        .await;
}

async fn create(client: &Client) -> i64 {
    client
        .create_ticket(
            "webb",
            json!({"workflow_id": 106, "transition_id": 1600, "title": "hooked ticket"}),
        )
        .await
}

async fn ticket(client: &Client, id: i64) -> Value {
    client.get(&format!("/api/v1.0/tickets/{id}"), "admin").await.data()["value"].clone()
}

/// Waits until `check` holds for the ticket, for at most ten seconds.
async fn wait_until(client: &Client, id: i64, check: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let value = ticket(client, id).await;
        if check(&value) || started.elapsed() > Duration::from_secs(10) {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn logs(client: &Client, id: i64) -> Vec<Value> {
    client
        .get(&format!("/api/v1.0/tickets/{id}/flowlogs?per_page=100"), "admin")
        .await
        .data()["value"]
        .as_array()
        .unwrap()
        .clone()
}

async fn a_hook_gets_the_signed_values_and_moves_the_ticket_on(backend: Backend) {
    let receiver = Receiver::start().await;
    receiver.reply(Reply::Json(json!({"code": 0, "msg": "checked by the hook"})));
    let server = Server::start(backend).await;
    install(&server.db, &receiver.url(), false).await;
    let client = server.client();
    let id = create(&client).await;
    let value = wait_until(&client, id, |value| value["state_id"] == 1602).await;
    assert_eq!(value["state_id"], 1602, "the hook did not move the ticket");
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    let timestamp = request.header("timestamp");
    assert!(timestamp.parse::<i64>().is_ok(), "timestamp {timestamp:?}");
    assert_eq!(request.header("signature"), sign(timestamp, TOKEN));
    assert!(!request.header("idempotency-key").is_empty());
    assert_eq!(request.body["id"], id);
    assert_eq!(request.body["title"], "hooked ticket");
    assert_eq!(request.body["state_id"], 1601);
    assert_eq!(request.body["participant"], "***");
    assert_eq!(request.body["participant_type_id"], 10);
    assert_eq!(request.body["note"], Value::Null);
    assert_eq!(request.body["extra_info"], json!({"team": "ops"}));
    let newest = &logs(&client, id).await[0];
    assert_eq!(newest["participant"], "loonrobot");
    assert_eq!(newest["suggestion"], "checked by the hook");
    assert_eq!(newest["transition"]["transition_name"], "hooked");
    assert_eq!(value["participant"], "admin");
    assert_eq!(value["script_run_last_result"], true);
}

async fn a_slow_receiver_never_delays_the_state_change(backend: Backend) {
    let receiver = Receiver::start().await;
    receiver.reply(Reply::Slow(Duration::from_secs(3)));
    let server = Server::start(backend).await;
    install(&server.db, &receiver.url(), false).await;
    let client = server.client();
    let started = Instant::now();
    let id = create(&client).await;
    let other = create(&client).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "creating waited for the hook"
    );
    receiver.wait_for(2, Duration::from_secs(10)).await;
    let value = wait_until(&client, id, |value| value["state_id"] == 1602).await;
    assert_eq!(value["state_id"], 1602);
    assert_eq!(
        wait_until(&client, other, |value| value["state_id"] == 1602).await["state_id"],
        1602
    );
}

async fn a_failed_hook_is_marked_and_retry_script_runs_it_again(backend: Backend) {
    let receiver = Receiver::start().await;
    receiver.reply(Reply::Json(json!({"code": -1, "msg": "budget exceeded"})));
    let server = Server::start(backend).await;
    install(&server.db, &receiver.url(), false).await;
    let client = server.client();
    let id = create(&client).await;
    let value = wait_until(&client, id, |value| value["script_run_last_result"] == false).await;
    assert_eq!(value["script_run_last_result"], false, "the failure was not recorded");
    assert_eq!(value["state_id"], 1601);
    // A definitive failure is not retried by the queue.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(receiver.received().len(), 1);
    let newest = &logs(&client, id).await[0];
    assert_eq!(newest["participant"], "hook");
    assert_eq!(newest["participant_type_id"], 10);
    assert_eq!(newest["suggestion"], "budget exceeded");

    receiver.reply(Reply::Json(json!({"code": 0, "msg": "fine now"})));
    let answer = client
        .post(&format!("/api/v1.0/tickets/{id}/retry_script"), "admin", json!({}))
        .await;
    assert_eq!(answer.code(), 0, "{}", answer.msg());
    assert_eq!(answer.msg(), "Ticket script or hook retry start successful");
    let value = wait_until(&client, id, |value| value["state_id"] == 1602).await;
    assert_eq!(value["state_id"], 1602, "the retried hook did not move the ticket");
    assert_eq!(value["script_run_last_result"], true);
    assert_eq!(receiver.received().len(), 2);

    // Retrying a ticket that is not in a hook state, or not failed, is refused.
    client
        .post(&format!("/api/v1.0/tickets/{id}/retry_script"), "admin", json!({}))
        .await
        .assert_error("The ticket's participant_type is not robot or hook, do not allow retry");
}

async fn a_waiting_hook_moves_on_when_called_back(backend: Backend) {
    let receiver = Receiver::start().await;
    receiver.reply(Reply::Json(json!({"code": 0, "msg": "started the job"})));
    let server = Server::start(backend).await;
    install(&server.db, &receiver.url(), true).await;
    let client = server.client();
    let id = create(&client).await;
    receiver.wait_for(1, Duration::from_secs(10)).await;
    let started = Instant::now();
    while logs(&client, id).await.len() < 2 && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let newest = &logs(&client, id).await[0];
    assert_eq!(newest["participant"], "hook");
    assert_eq!(newest["suggestion"], "started the job");
    assert_eq!(ticket(&client, id).await["state_id"], 1601);
    let retry = client
        .post(&format!("/api/v1.0/tickets/{id}/retry_script"), "admin", json!({}))
        .await;
    retry.assert_error("script or hook is not in failed state");

    let answer = client
        .post(
            &format!("/api/v1.0/tickets/{id}/hook_call_back"),
            "admin",
            json!({"result": true, "msg": "all done", "field_value": {"note": "from the hook", "title": "renamed"}}),
        )
        .await;
    assert_eq!(answer.code(), 0, "{}", answer.msg());
    assert_eq!(answer.msg(), "add ticket comment successful");
    let value = ticket(&client, id).await;
    assert_eq!(value["state_id"], 1602);
    // Only `note` is writable in the hook state.
    assert_eq!(value["title"], "hooked ticket");
    let detail = client.get(&format!("/api/v1.0/tickets/{id}"), "admin").await;
    let note = detail.data()["value"]["field_list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|field| field["field_key"] == "note")
        .map(|field| field["field_value"].clone());
    assert_eq!(note, Some(json!("from the hook")));
    let newest = &logs(&client, id).await[0];
    assert_eq!(newest["participant"], "loonrobot");
    assert_eq!(newest["suggestion"], "all done");
    // The ticket is no longer waiting for a hook.
    client
        .post(
            &format!("/api/v1.0/tickets/{id}/hook_call_back"),
            "admin",
            json!({"result": true}),
        )
        .await
        .assert_error("工单当前处理人类型非hook，不执行回调操作");
}

async fn a_callback_with_a_false_result_marks_the_failure(backend: Backend) {
    let receiver = Receiver::start().await;
    let server = Server::start(backend).await;
    install(&server.db, &receiver.url(), true).await;
    let client = server.client();
    let id = create(&client).await;
    receiver.wait_for(1, Duration::from_secs(10)).await;
    let answer = client
        .post(
            &format!("/api/v1.0/tickets/{id}/hook_call_back"),
            "admin",
            json!({"result": false, "msg": "the job crashed"}),
        )
        .await;
    assert_eq!(answer.code(), 0, "{}", answer.msg());
    let value = ticket(&client, id).await;
    assert_eq!(value["state_id"], 1601);
    assert_eq!(value["script_run_last_result"], false);
    let newest = &logs(&client, id).await[0];
    assert_eq!(newest["participant"], "hook");
    assert_eq!(newest["suggestion"], "the job crashed");
    assert_eq!(newest["intervene_type_id"], 9);
    // The failed hook can be retried; a later successful callback clears the failure.
    let retry = client
        .post(&format!("/api/v1.0/tickets/{id}/retry_script"), "admin", json!({}))
        .await;
    assert_eq!(retry.code(), 0, "{}", retry.msg());
    receiver.wait_for(2, Duration::from_secs(10)).await;
    client
        .post(
            &format!("/api/v1.0/tickets/{id}/hook_call_back"),
            "admin",
            json!({"msg": "ok"}),
        )
        .await
        .data();
    let value = ticket(&client, id).await;
    assert_eq!(value["state_id"], 1602);
    assert_eq!(value["script_run_last_result"], true);
}

async fn a_receiver_that_is_down_gets_the_hook_once_it_is_up(backend: Backend) {
    let port = Receiver::start().await.port;
    let url = format!("http://127.0.0.1:{port}/hook");
    let server = Server::start(backend).await;
    install(&server.db, &url, false).await;
    let client = server.client();
    let id = create(&client).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(ticket(&client, id).await["state_id"], 1601);
    let receiver = Receiver::start_on(port).await;
    let value = wait_until(&client, id, |value| value["state_id"] == 1602).await;
    assert_eq!(
        value["state_id"], 1602,
        "the hook was not delivered once the receiver was up"
    );
    assert_eq!(receiver.received().len(), 1);
}

async fn a_server_error_is_retried_before_the_hook_fails(backend: Backend) {
    let receiver = Receiver::start().await;
    receiver.reply(Reply::Status(503));
    let server = Server::start(backend).await;
    install(&server.db, &receiver.url(), false).await;
    let client = server.client();
    let id = create(&client).await;
    receiver.wait_for(1, Duration::from_secs(10)).await;
    receiver.reply(Reply::Json(json!({"code": 0, "msg": "back"})));
    let value = wait_until(&client, id, |value| value["state_id"] == 1602).await;
    assert_eq!(value["state_id"], 1602, "a 503 was not retried");
    assert_eq!(value["script_run_last_result"], true);
    assert!(receiver.received().len() >= 2);

    // A receiver that keeps failing fails the hook after the last attempt.
    receiver.reply(Reply::Status(500));
    let failing = create(&client).await;
    let value = wait_until(&client, failing, |value| value["script_run_last_result"] == false).await;
    assert_eq!(value["script_run_last_result"], false);
    let newest = &logs(&client, failing).await[0];
    assert!(newest["suggestion"].as_str().unwrap().contains("500"), "{newest}");
}

async fn a_pending_hook_survives_a_restart(backend: Backend) {
    let port = Receiver::start().await.port;
    let url = format!("http://127.0.0.1:{port}/hook");
    let mut server = Server::start(backend).await;
    install(&server.db, &url, false).await;
    let id = create(&server.client()).await;
    assert!(server.stop().success());
    let receiver = Receiver::start_on(port).await;
    server.restart(&["--demo-token", DEMO_TOKEN]);
    let client = server.client();
    let value = wait_until(&client, id, |value| value["state_id"] == 1602).await;
    assert_eq!(value["state_id"], 1602, "the hook was lost in the restart");
    assert_eq!(receiver.received().len(), 1);
}

async fn two_processes_deliver_each_hook_once(backend: Backend) {
    let receiver = Receiver::start().await;
    let server = Server::start(backend).await;
    install(&server.db, &receiver.url(), false).await;
    let sibling = server.sibling();
    let client = server.client();
    let other = sibling.client();
    let mut ids = Vec::new();
    for n in 0..16 {
        ids.push(if n % 2 == 0 {
            create(&client).await
        } else {
            create(&other).await
        });
    }
    for id in &ids {
        let value = wait_until(&client, *id, |value| value["state_id"] == 1602).await;
        assert_eq!(value["state_id"], 1602, "ticket {id} did not move");
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for request in receiver.received() {
        *by_key.entry(request.header("idempotency-key").to_string()).or_default() += 1;
    }
    assert_eq!(by_key.len(), ids.len());
    assert!(by_key.values().all(|count| *count == 1), "{by_key:?}");
    for id in &ids {
        let moves = logs(&client, *id)
            .await
            .iter()
            .filter(|log| log["participant"] == "loonrobot")
            .count();
        assert_eq!(moves, 1, "ticket {id}");
    }
}

/// Registers the shipped `http-hook` plugin, allowed to call `hosts`.
async fn register_http_hook(client: &Client, hosts: &[String]) {
    let id = client.register_plugin("http-hook", "hook", wasm("http-hook")).await;
    client
        .patch(
            &format!("/api/v1.0/plugins/{id}"),
            "admin",
            json!({"allowed_hosts": hosts}),
        )
        .await
        .data();
}

fn plugin_config(url: &str) -> Value {
    json!({"plugin": "http-hook", "args": {
        "url": url, "token": TOKEN, "extra_info": {"team": "ops"}, "transition": "hooked"
    }})
}

async fn a_hook_plugin_does_what_the_url_hook_does(backend: Backend) {
    let receiver = Receiver::start().await;
    receiver.reply(Reply::Json(json!({"code": 0, "msg": "checked by the plugin"})));
    let server = Server::start(backend).await;
    install_config(&server.db, &plugin_config(&receiver.url())).await;
    let client = server.client();
    register_http_hook(&client, &[format!("http://127.0.0.1:{}", receiver.port)]).await;
    let id = create(&client).await;
    let value = wait_until(&client, id, |value| value["state_id"] == 1602).await;
    assert_eq!(value["state_id"], 1602, "the plugin hook did not move the ticket");
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    let timestamp = request.header("timestamp");
    assert_eq!(request.header("signature"), sign(timestamp, TOKEN));
    assert!(!request.header("idempotency-key").is_empty());
    assert_eq!(request.body["id"], id);
    assert_eq!(request.body["title"], "hooked ticket");
    assert_eq!(request.body["extra_info"], json!({"team": "ops"}));
    let newest = &logs(&client, id).await[0];
    assert_eq!(newest["participant"], "loonrobot");
    assert_eq!(newest["suggestion"], "checked by the plugin");
    assert_eq!(newest["transition"]["transition_name"], "hooked");

    // A failing answer fails the hook the same way, and retry_script runs the plugin again.
    receiver.reply(Reply::Json(json!({"code": -1, "msg": "refused by the receiver"})));
    let failing = create(&client).await;
    let value = wait_until(&client, failing, |value| value["script_run_last_result"] == false).await;
    assert_eq!(value["script_run_last_result"], false);
    assert_eq!(logs(&client, failing).await[0]["suggestion"], "refused by the receiver");
    receiver.reply(Reply::Json(json!({"code": 0, "msg": "fine"})));
    let retry = client
        .post(&format!("/api/v1.0/tickets/{failing}/retry_script"), "admin", json!({}))
        .await;
    assert_eq!(retry.code(), 0, "{}", retry.msg());
    let value = wait_until(&client, failing, |value| value["state_id"] == 1602).await;
    assert_eq!(value["state_id"], 1602);
}

async fn a_hook_plugin_may_not_call_a_host_it_is_not_allowed(backend: Backend) {
    let receiver = Receiver::start().await;
    let server = Server::start(backend).await;
    install_config(&server.db, &plugin_config(&receiver.url())).await;
    let client = server.client();
    // The right host on another port, and a wildcard that does not cover it.
    register_http_hook(
        &client,
        &[
            format!("http://127.0.0.1:{}", receiver.port + 1),
            "https://*.example.com".into(),
        ],
    )
    .await;
    let id = create(&client).await;
    let value = wait_until(&client, id, |value| value["script_run_last_result"] == false).await;
    assert_eq!(
        value["script_run_last_result"], false,
        "the forbidden call did not fail the hook"
    );
    assert_eq!(value["state_id"], 1601);
    let newest = &logs(&client, id).await[0];
    assert_eq!(newest["participant"], "hook");
    assert_eq!(
        newest["suggestion"],
        "host 127.0.0.1 is not on this plugin's list of allowed hosts"
    );
    assert!(receiver.received().is_empty());
}
