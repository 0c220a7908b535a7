//! Each process caches configuration rows. A change made through any process on the same
//! database must show at once everywhere: in the process that made it, in a sibling process,
//! and to tickets created afterwards.

use serde_json::json;

use crate::support::{Backend, Server, on_both_backends};

on_both_backends!(
    a_change_made_through_one_process_shows_at_once_in_another,
    a_state_changed_between_tickets_applies_to_the_next_ticket,
);

async fn a_change_made_through_one_process_shows_at_once_in_another(backend: Backend) {
    let server = Server::start(backend).await;
    let sibling = server.sibling();
    let client = server.client();
    let other = sibling.client();
    // Both processes read (and cache) the workflow, its start state and the app's rights.
    for reader in [&client, &other] {
        assert_eq!(
            reader.get("/api/v1.0/workflows/1", "admin").await.data()["name"],
            "请假流程"
        );
        assert_eq!(
            reader.get("/api/v1.0/workflows/1/init_state", "admin").await.data()["name"],
            "发起人-编辑中"
        );
    }
    client
        .patch("/api/v1.0/workflows/1", "admin", json!({"name": "请假流程（新）"}))
        .await
        .data();
    client
        .patch("/api/v1.0/workflows/1/states/1", "admin", json!({"name": "草稿"}))
        .await
        .data();
    for reader in [&client, &other] {
        assert_eq!(
            reader.get("/api/v1.0/workflows/1", "admin").await.data()["name"],
            "请假流程（新）"
        );
        assert_eq!(
            reader.get("/api/v1.0/workflows/1/init_state", "admin").await.data()["name"],
            "草稿"
        );
    }
    // A directory change through the sibling: the first process shows the new alias of a
    // ticket's creator.
    let id = client
        .create_ticket(
            "webb",
            json!({"workflow_id": 2, "transition_id": 6, "title": "vpn", "reason": "远程"}),
        )
        .await;
    let path = format!("/api/v1.0/tickets/{id}");
    assert_eq!(
        client.get(&path, "webb").await.data()["value"]["creator_info"]["alias"],
        "webb"
    );
    let users = other.get("/api/v1.0/accounts/users?search_value=webb", "admin").await;
    let webb = users.data()["value"][0]["id"].as_i64().expect("webb's id");
    other
        .patch(
            &format!("/api/v1.0/accounts/users/{webb}"),
            "admin",
            json!({"alias": "韦伯"}),
        )
        .await
        .data();
    assert_eq!(
        client.get(&path, "webb").await.data()["value"]["creator_info"]["alias"],
        "韦伯"
    );
}

async fn a_state_changed_between_tickets_applies_to_the_next_ticket(backend: Backend) {
    let server = Server::start(backend).await;
    let sibling = server.sibling();
    let client = server.client();
    let other = sibling.client();
    let leave = |title: &str| {
        json!({"workflow_id": 1, "transition_id": 1, "title": title, "reason": "家里有事",
               "date_start": "2026-12-01 09:00:00", "date_end": "2026-12-02 18:00:00"})
    };
    // The team lead state (2) names the creator's team lead; through the sibling it is made to
    // name hr directly, and the next ticket created in the first process waits for hr.
    let first = client.create_ticket("webb", leave("before")).await;
    let before = client.get(&format!("/api/v1.0/tickets/{first}"), "webb").await;
    assert_eq!(before.data()["value"]["participant"], "admin");
    other
        .patch(
            "/api/v1.0/workflows/1/states/2",
            "admin",
            json!({"participant_type_id": 1, "participant": "hr"}),
        )
        .await
        .data();
    let second = client.create_ticket("webb", leave("after")).await;
    let after = client.get(&format!("/api/v1.0/tickets/{second}"), "webb").await;
    assert_eq!(after.data()["value"]["participant"], "hr");
}
