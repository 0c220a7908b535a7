//! Custom notices against real local receivers: the default formatter's `{field}` templates,
//! loonflow's payload and signature, a custom formatter plugin, a receiver that comes up late,
//! a restart with notices pending, and two processes sending each notice once.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::client::sign;
use crate::support::fixtures::{Flow, Handlers};
use crate::support::plugins::wasm;
use crate::support::receiver::Receiver;
use crate::support::server::{DEMO_TOKEN, Database};
use crate::support::{Backend, Client, Server, on_both_backends};

on_both_backends!(
    each_state_change_sends_the_rendered_signed_notice,
    a_custom_formatter_renders_the_notice,
    a_template_naming_an_unknown_field_sends_nothing,
    a_receiver_that_is_down_gets_the_notice_once_it_is_up,
    pending_notices_survive_a_restart,
    two_processes_send_each_notice_once,
);

const TOKEN: &str = "notice-secret";
const WAIT: Duration = Duration::from_secs(10);

/// Workflow 107 selecting notice 1 (to `url`, rendered by `formatter`): "start" → "review"
/// (admin) → "end", with a `days` field.
async fn install(db: &Database, url: &str, formatter: &str, title_template: &str) {
    let notice = format!(
        "INSERT INTO custom_notices (id, name, description, hook_url, hook_token, formatter, creator, gmt_created, \
         gmt_modified, is_deleted) VALUES (1, 'ops chat', '', '{url}', '{TOKEN}', '{}', 'admin', \
         '2026-01-01 00:00:00', '2026-01-01 00:00:00', 0)",
        formatter.replace('\'', "''")
    );
    let templates = format!(
        "UPDATE workflows SET notices = '1', title_template = '{}', \
         content_template = 'ticket {{sn}} in state {{state_id}}: {{days}} days, flag {{in_add_node}}, {{{{literal}}}}' \
         WHERE id = 107",
        title_template.replace('\'', "''")
    );
    Flow::new(107, "notices")
        .state(1700, "start", 1, Handlers(0, "", 2), r#"{"title":2,"days":3}"#)
        .state(1701, "review", 0, Handlers(1, "admin", 2), r#"{"title":1}"#)
        .state(1702, "end", 2, Handlers(0, "", 2), "{}")
        .transition(1700, "submit", 1700, 1701, 1)
        .transition(1701, "done", 1701, 1702, 1)
        .field(1700, "days", 15, 10)
        .sql(&notice)
        .sql(&templates)
        .install(db)
        .await;
}

async fn create(client: &Client) -> i64 {
    client
        .create_ticket(
            "webb",
            json!({"workflow_id": 107, "transition_id": 1700, "title": "leave"}),
        )
        .await
}

async fn each_state_change_sends_the_rendered_signed_notice(backend: Backend) {
    let receiver = Receiver::start().await;
    let server = Server::start(backend).await;
    install(&server.db, &receiver.url(), "", "{title} by {creator}").await;
    let client = server.client();
    let id = create(&client).await;
    let received = receiver.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1, "the creation sent no notice");
    let notice = &received[0];
    let timestamp = notice.header("timestamp");
    assert_eq!(notice.header("signature"), sign(timestamp, TOKEN));
    let body = &notice.body;
    assert_eq!(body["title_result"], "leave by webb");
    let sn = body["ticket_value_info"]["sn"].as_str().unwrap();
    assert_eq!(
        body["content_result"],
        format!("ticket {sn} in state 1701: None days, flag False, {{literal}}")
    );
    assert_eq!(body["participant"], "admin");
    assert_eq!(body["participant_type_id"], 1);
    assert_eq!(body["multi_all_person"], "{}");
    assert_eq!(body["ticket_value_info"]["id"], id);
    assert_eq!(body["ticket_value_info"]["days"], Value::Null);
    assert_eq!(body["last_flow_log"]["transition"]["transition_name"], "submit");
    assert_eq!(body["last_flow_log"]["participant"], "webb");
    assert_eq!(body["participant_info_list"][0]["username"], "admin");
    assert!(body["participant_info_list"][0].get("email").is_some());

    client.handle(id, "admin", 1701).await;
    let received = receiver.wait_for(2, WAIT).await;
    assert_eq!(received.len(), 2, "handling sent no notice");
    assert_eq!(received[1].body["ticket_value_info"]["state_id"], 1702);
    assert_eq!(
        received[1].body["last_flow_log"]["transition"]["transition_name"],
        "done"
    );
    assert_ne!(
        received[0].header("idempotency-key"),
        received[1].header("idempotency-key")
    );
    // Interventions send none.
    client
        .post(
            &format!("/api/v1.0/tickets/{id}/comments"),
            "admin",
            json!({"suggestion": "noted"}),
        )
        .await
        .data();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 2);
}

async fn a_custom_formatter_renders_the_notice(backend: Backend) {
    let receiver = Receiver::start().await;
    let server = Server::start(backend).await;
    let formatter = json!({"plugin": "markdown", "args": {"footer": "sent by grebe"}}).to_string();
    install(&server.db, &receiver.url(), &formatter, "{title}").await;
    let client = server.client();
    client
        .register_plugin("markdown", "notice-formatter", wasm("markdown-notice"))
        .await;
    let id = create(&client).await;
    let received = receiver.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1, "no notice arrived");
    let body = &received[0].body;
    let sn = body["ticket_value_info"]["sn"].as_str().unwrap();
    assert_eq!(body["title_result"], format!("[{sn}] leave"));
    assert_eq!(body["content_result"], "**leave**\n> state: review\n\nsent by grebe");
    assert_eq!(body["ticket_value_info"]["id"], id);
}

async fn a_template_naming_an_unknown_field_sends_nothing(backend: Backend) {
    let receiver = Receiver::start().await;
    let server = Server::start(backend).await;
    install(&server.db, &receiver.url(), "", "{title} for {no_such_field}").await;
    let client = server.client();
    create(&client).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(receiver.received().is_empty());
}

async fn a_receiver_that_is_down_gets_the_notice_once_it_is_up(backend: Backend) {
    let port = Receiver::start().await.port;
    let server = Server::start(backend).await;
    install(&server.db, &format!("http://127.0.0.1:{port}/notice"), "", "{title}").await;
    let client = server.client();
    create(&client).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let receiver = Receiver::start_on(port).await;
    let received = receiver.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1, "the notice was not sent once the receiver was up");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 1);
}

async fn pending_notices_survive_a_restart(backend: Backend) {
    let port = Receiver::start().await.port;
    let mut server = Server::start(backend).await;
    install(&server.db, &format!("http://127.0.0.1:{port}/notice"), "", "{title}").await;
    let client = server.client();
    let id = create(&client).await;
    client.handle(id, "admin", 1701).await;
    assert!(server.stop().success());
    let receiver = Receiver::start_on(port).await;
    server.restart(&["--demo-token", DEMO_TOKEN]);
    let received = receiver.wait_for(2, WAIT).await;
    assert_eq!(received.len(), 2, "notices were lost in the restart");
}

async fn two_processes_send_each_notice_once(backend: Backend) {
    let receiver = Receiver::start().await;
    let server = Server::start(backend).await;
    install(&server.db, &receiver.url(), "", "{title}").await;
    let sibling = server.sibling();
    let client = server.client();
    let other = sibling.client();
    for n in 0..16 {
        if n % 2 == 0 {
            create(&client).await;
        } else {
            create(&other).await;
        }
    }
    receiver.wait_for(16, WAIT).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for request in receiver.received() {
        *by_key.entry(request.header("idempotency-key").to_string()).or_default() += 1;
    }
    assert_eq!(by_key.len(), 16);
    assert!(by_key.values().all(|count| *count == 1), "{by_key:?}");
}
