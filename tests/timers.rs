//! Timer transitions on the durable job queue: firing, cancelled by an earlier action,
//! surviving a restart, and firing once with two processes on one database.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::fixtures::{Flow, Handlers};
use crate::support::server::Database;
use crate::support::{Backend, Client, Server, on_both_backends};

on_both_backends!(
    a_timer_fires_after_its_delay,
    an_earlier_handle_cancels_the_timer,
    a_timer_survives_a_restart,
    two_processes_fire_each_timer_once,
);

/// Workflow 105: "waiting" (hr) moves to "escalated" (admin) by a timer of `seconds`.
async fn install(db: &Database, seconds: i64) {
    Flow::new(105, "timers")
        .state(1500, "start", 1, Handlers(0, "", 2), r#"{"title":2}"#)
        .state(1501, "waiting", 0, Handlers(1, "hr", 2), r#"{"title":1}"#)
        .state(1502, "escalated", 0, Handlers(1, "admin", 2), r#"{"title":1}"#)
        .state(1503, "end", 2, Handlers(0, "", 2), "{}")
        .transition(1500, "submit", 1500, 1501, 1)
        .transition(1501, "timeout", 1501, 1502, 1)
        .transition(1502, "handled", 1501, 1503, 1)
        .transition(1503, "handled", 1502, 1503, 1)
        .sql(&format!(
            "UPDATE transitions SET transition_type_id = 2, timer = {seconds} WHERE id = 1501"
        ))
        .install(db)
        .await;
}

async fn state_of(client: &Client, id: i64) -> i64 {
    client.get(&format!("/api/v1.0/tickets/{id}"), "admin").await.data()["value"]["state_id"]
        .as_i64()
        .unwrap()
}

/// Waits until the ticket is in `state`, for at most `limit`.
async fn wait_for_state(client: &Client, id: i64, state: i64, limit: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if state_of(client, id).await == state {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// How many timer logs a ticket has.
async fn timer_logs(client: &Client, id: i64) -> usize {
    let logs = client
        .get(&format!("/api/v1.0/tickets/{id}/flowlogs?per_page=100"), "admin")
        .await;
    logs.data()["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|log| log["suggestion"] == "定时器流转")
        .count()
}

async fn create(client: &Client) -> i64 {
    client
        .create_ticket("webb", json!({"workflow_id": 105, "transition_id": 1500, "title": "t"}))
        .await
}

async fn a_timer_fires_after_its_delay(backend: Backend) {
    let server = Server::start(backend).await;
    install(&server.db, 1).await;
    let client = server.client();
    let created = Instant::now();
    let id = create(&client).await;
    assert_eq!(state_of(&client, id).await, 1501);
    assert!(
        wait_for_state(&client, id, 1502, Duration::from_secs(10)).await,
        "the timer did not fire"
    );
    assert!(
        created.elapsed() >= Duration::from_millis(900),
        "fired before its delay"
    );
    let logs = client.get(&format!("/api/v1.0/tickets/{id}/flowlogs"), "admin").await;
    let newest = &logs.data()["value"][0];
    assert_eq!(newest["participant"], "loonrobot");
    assert_eq!(newest["suggestion"], "定时器流转");
    assert_eq!(newest["transition"]["transition_name"], "timeout");
    assert_eq!(newest["state"]["state_id"], 1501);
    let value = client.get(&format!("/api/v1.0/tickets/{id}"), "admin").await.data()["value"].clone();
    assert_eq!(value["participant"], "admin");
    assert_eq!(client.ticket_ids("category=duty", "admin").await, [id]);
    assert!(client.ticket_ids("category=duty", "hr").await.is_empty());
}

async fn an_earlier_handle_cancels_the_timer(backend: Backend) {
    let server = Server::start(backend).await;
    install(&server.db, 1).await;
    let client = server.client();
    let id = create(&client).await;
    let touched = create(&client).await;
    client.handle(id, "hr", 1502).await;
    // Any change of the ticket in the state cancels its timer, even one that keeps it there.
    client
        .post(
            &format!("/api/v1.0/tickets/{touched}/deliver"),
            "hr",
            json!({"target_username": "lilian"}),
        )
        .await
        .data();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(state_of(&client, id).await, 1503);
    assert_eq!(timer_logs(&client, id).await, 0);
    assert_eq!(state_of(&client, touched).await, 1501);
    assert_eq!(timer_logs(&client, touched).await, 0);
}

async fn a_timer_survives_a_restart(backend: Backend) {
    let mut server = Server::start(backend).await;
    install(&server.db, 2).await;
    let id = create(&server.client()).await;
    let status = server.stop();
    assert!(status.success());
    tokio::time::sleep(Duration::from_millis(2500)).await;
    server.restart(&["--demo-token", crate::support::server::DEMO_TOKEN]);
    let client = server.client();
    assert!(
        wait_for_state(&client, id, 1502, Duration::from_secs(10)).await,
        "the timer was lost in the restart"
    );
    assert_eq!(timer_logs(&client, id).await, 1);
}

async fn two_processes_fire_each_timer_once(backend: Backend) {
    let server = Server::start(backend).await;
    install(&server.db, 1).await;
    let sibling = server.sibling();
    let client = server.client();
    let other = sibling.client();
    let mut ids = Vec::new();
    for n in 0..20 {
        ids.push(if n % 2 == 0 {
            create(&client).await
        } else {
            create(&other).await
        });
    }
    for id in &ids {
        assert!(
            wait_for_state(&client, *id, 1502, Duration::from_secs(15)).await,
            "ticket {id} did not move"
        );
    }
    // Give a late duplicate every chance to show up.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for id in &ids {
        assert_eq!(timer_logs(&client, *id).await, 1, "ticket {id}");
        assert_eq!(state_of(&other, *id).await, 1502);
    }
}
