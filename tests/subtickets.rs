//! Sub-tickets: children tied to a parent's state; the parent moves on when they have ended.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::fixtures::{Flow, Handlers};
use crate::support::server::Database;
use crate::support::{Backend, Client, Server, on_both_backends};

on_both_backends!(
    the_parent_moves_on_when_all_children_have_ended,
    children_must_match_the_parents_state_and_sub_workflow,
    a_closed_child_counts_as_ended_and_a_moved_parent_stays,
);

/// Workflow 106 spawns sub-tickets of workflow 107 in state 1601.
async fn install(db: &Database) {
    Flow::new(106, "parent")
        .state(1600, "start", 1, Handlers(0, "", 2), r#"{"title":2}"#)
        .state(
            1601,
            "children running",
            0,
            Handlers(1, "loonrobot", 2),
            r#"{"title":1}"#,
        )
        .state(1602, "review", 0, Handlers(1, "admin", 2), r#"{"title":1}"#)
        .state(1603, "end", 2, Handlers(0, "", 2), "{}")
        .transition(1600, "submit", 1600, 1601, 1)
        .transition(1601, "all done", 1601, 1602, 1)
        .transition(1602, "done", 1602, 1603, 1)
        .sql("UPDATE states SET sub_workflow_id = 107 WHERE id = 1601")
        .install(db)
        .await;
    Flow::new(107, "child")
        .state(1700, "start", 1, Handlers(0, "", 2), r#"{"title":2}"#)
        .state(1701, "work", 0, Handlers(5, "creator", 2), r#"{"title":1}"#)
        .state(1702, "end", 2, Handlers(0, "", 2), "{}")
        .transition(1700, "submit", 1700, 1701, 1)
        .transition(1701, "finish", 1701, 1702, 1)
        .install(db)
        .await;
}

async fn state_of(client: &Client, id: i64) -> i64 {
    client.get(&format!("/api/v1.0/tickets/{id}"), "admin").await.data()["value"]["state_id"]
        .as_i64()
        .unwrap()
}

async fn wait_for_state(client: &Client, id: i64, state: i64) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if state_of(client, id).await == state {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn child(client: &Client, parent: i64) -> i64 {
    client
        .create_ticket(
            "webb",
            json!({"workflow_id": 107, "transition_id": 1700, "title": "child", "parent_ticket_id": parent, "parent_ticket_state_id": 1601}),
        )
        .await
}

async fn parent(client: &Client) -> i64 {
    client
        .create_ticket(
            "webb",
            json!({"workflow_id": 106, "transition_id": 1600, "title": "parent"}),
        )
        .await
}

async fn the_parent_moves_on_when_all_children_have_ended(backend: Backend) {
    let server = Server::start(backend).await;
    install(&server.db).await;
    let client = server.client();
    let parent = parent(&client).await;
    let detail = client.get(&format!("/api/v1.0/tickets/{parent}"), "admin").await;
    assert_eq!(detail.data()["value"]["state_info"]["sub_workflow_id"], 107);
    let state = client.get("/api/v1.0/workflows/states/1601", "admin").await;
    assert_eq!(state.data()["sub_workflow_id"], 107);
    let first = child(&client, parent).await;
    let second = child(&client, parent).await;
    let mut children = client
        .ticket_ids(
            &format!("category=all&parent_ticket_id={parent}&parent_ticket_state_id=1601"),
            "webb",
        )
        .await;
    children.sort();
    assert_eq!(children, [first, second]);

    client.handle(first, "webb", 1701).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(state_of(&client, parent).await, 1601, "one child still runs");

    client.handle(second, "webb", 1701).await;
    assert!(
        wait_for_state(&client, parent, 1602).await,
        "the parent did not move on"
    );
    let logs = client
        .get(&format!("/api/v1.0/tickets/{parent}/flowlogs"), "admin")
        .await;
    let newest = &logs.data()["value"][0];
    assert_eq!(newest["participant"], "loonrobot");
    assert_eq!(newest["suggestion"], "所有子工单处理完毕，自动流转");
    assert_eq!(newest["transition"]["transition_name"], "all done");
    assert_eq!(client.ticket_ids("category=duty", "admin").await, [parent]);
}

async fn children_must_match_the_parents_state_and_sub_workflow(backend: Backend) {
    let server = Server::start(backend).await;
    install(&server.db).await;
    let client = server.client();
    let parent = parent(&client).await;
    let create = |body: Value| {
        let client = server.client();
        async move { client.post("/api/v1.0/tickets", "webb", body).await }
    };
    create(json!({"workflow_id": 1, "transition_id": 1, "parent_ticket_id": parent, "parent_ticket_state_id": 1601}))
        .await
        .assert_error("state 1601 takes sub-tickets of workflow 107 only, not 1");
    create(
        json!({"workflow_id": 107, "transition_id": 1700, "parent_ticket_id": parent, "parent_ticket_state_id": 1602}),
    )
    .await
    .assert_error(&format!("parent ticket {parent} is not in state 1602"));
    create(
        json!({"workflow_id": 107, "transition_id": 1700, "parent_ticket_id": parent, "parent_ticket_state_id": 1701}),
    )
    .await
    .assert_error("is not a state of the parent ticket's workflow");
    create(json!({"workflow_id": 107, "transition_id": 1700, "parent_ticket_id": parent}))
        .await
        .assert_error("parent_ticket_id needs parent_ticket_state_id");
    assert!(
        client
            .ticket_ids("category=all&workflow_ids=107", "webb")
            .await
            .is_empty()
    );
}

async fn a_closed_child_counts_as_ended_and_a_moved_parent_stays(backend: Backend) {
    let server = Server::start(backend).await;
    install(&server.db).await;
    let client = server.client();
    let closed_parent = parent(&client).await;
    let only = child(&client, closed_parent).await;
    assert_eq!(
        client
            .post(&format!("/api/v1.0/tickets/{only}/close"), "admin", json!({}))
            .await
            .data(),
        &json!("")
    );
    assert!(
        wait_for_state(&client, closed_parent, 1602).await,
        "closing the last child did not settle the parent"
    );

    // A parent an admin already moved elsewhere is left alone when its children end.
    let moved = parent(&client).await;
    let late = child(&client, moved).await;
    client
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1.0/tickets/{moved}/state"),
            client.signed_headers(Some("admin")),
            Some(json!({"state_id": 1603})),
        )
        .await
        .data();
    client.handle(late, "webb", 1701).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(state_of(&client, moved).await, 1603);
    let logs = client
        .get(&format!("/api/v1.0/tickets/{moved}/flowlogs"), "admin")
        .await;
    assert_eq!(logs.data()["total"], 2, "creation and the admin's move only");
}
