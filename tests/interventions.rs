//! Interventions: each with the callers allowed and refused, its log, and the lists after it.

use serde_json::{Value, json};

use crate::support::fixtures::{Flow, Handlers};
use crate::support::{Backend, Client, Server, on_both_backends};

on_both_backends!(
    accept_gives_the_ticket_to_one_candidate,
    deliver_passes_the_ticket_on,
    add_node_then_add_node_end_returns_to_the_first_handler,
    admins_set_the_state_and_its_handlers_are_resolved,
    close_ends_the_ticket_for_admins_and_creators_at_the_start,
    the_creator_retreats_where_the_state_allows,
    admins_delete_tickets,
);

fn leave() -> Value {
    json!({"workflow_id": 1, "transition_id": 1, "title": "请假", "reason": "r"})
}

async fn value(client: &Client, id: i64) -> Value {
    client.get(&format!("/api/v1.0/tickets/{id}"), "admin").await.data()["value"].clone()
}

/// The newest flow log: (intervene type, transition name, actor, state id, suggestion).
async fn newest_log(client: &Client, id: i64) -> (i64, String, String, i64, String) {
    let logs = client.get(&format!("/api/v1.0/tickets/{id}/flowlogs"), "admin").await;
    let log = &logs.data()["value"][0];
    (
        log["intervene_type_id"].as_i64().unwrap(),
        log["transition"]["transition_name"].as_str().unwrap().to_string(),
        log["participant"].as_str().unwrap().to_string(),
        log["state"]["state_id"].as_i64().unwrap(),
        log["suggestion"].as_str().unwrap().to_string(),
    )
}

fn path(id: i64, action: &str) -> String {
    format!("/api/v1.0/tickets/{id}/{action}")
}

async fn accept_gives_the_ticket_to_one_candidate(backend: Backend) {
    let server = Server::start(backend).await;
    Flow::new(101, "accept")
        .state(1100, "start", 1, Handlers(0, "", 2), r#"{"title":2}"#)
        .state(1101, "accept first", 0, Handlers(2, "ops,ops2", 1), r#"{"title":1}"#)
        .state(1104, "end", 2, Handlers(0, "", 2), "{}")
        .transition(1100, "submit", 1100, 1101, 1)
        .transition(1103, "done", 1101, 1104, 1)
        .install(&server.db)
        .await;
    let client = server.client();
    let id = client
        .create_ticket("webb", json!({"workflow_id": 101, "transition_id": 1100}))
        .await;
    client
        .post(&path(id, "accept"), "hr", json!({}))
        .await
        .assert_error("no permission");
    assert_eq!(
        client.post(&path(id, "accept"), "ops2", json!({})).await.data(),
        &json!({})
    );
    let ticket = value(&client, id).await;
    assert_eq!(
        (ticket["participant_type_id"].clone(), ticket["participant"].clone()),
        (json!(1), json!("ops2"))
    );
    assert_eq!(
        newest_log(&client, id).await,
        (4, "接单操作".into(), "ops2".into(), 1101, "接单处理".into())
    );
    assert!(client.ticket_ids("category=duty", "ops").await.is_empty());
    assert_eq!(client.ticket_ids("category=duty", "ops2").await, [id]);
    assert_eq!(
        client.get(&path(id, "transitions"), "ops").await.data()["value"],
        json!([])
    );
    let offered = client.get(&path(id, "transitions"), "ops2").await;
    assert_eq!(offered.data()["value"][0]["transition_id"], 1103);
    client
        .post(&path(id, "accept"), "ops2", json!({}))
        .await
        .assert_error("participant is one people, do not accept ticket first");
    client.handle(id, "ops2", 1103).await;
    assert_eq!(value(&client, id).await["act_state_id"], 4);
}

async fn deliver_passes_the_ticket_on(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let id = client.create_ticket("webb", leave()).await;
    client
        .post(&path(id, "deliver"), "hr", json!({"target_username": "lilian"}))
        .await
        .assert_error("no permission");
    client
        .post(&path(id, "deliver"), "admin", json!({"target_username": "nobody"}))
        .await
        .assert_error("target user nobody");
    client
        .post(&path(id, "deliver"), "admin", json!({}))
        .await
        .assert_error("target_username is needed");
    client
        .post(
            &path(id, "deliver"),
            "admin",
            json!({"target_username": "lilian", "extra": 1}),
        )
        .await
        .assert_error("Wrong key 'extra'");
    let answer = client
        .post(
            &path(id, "deliver"),
            "admin",
            json!({"target_username": "lilian", "suggestion": "请代批"}),
        )
        .await;
    assert_eq!(answer.data(), &json!(true));
    assert_eq!(value(&client, id).await["participant"], "lilian");
    assert_eq!(
        newest_log(&client, id).await,
        (1, "转交操作".into(), "admin".into(), 2, "请代批".into())
    );
    assert!(client.ticket_ids("category=duty", "admin").await.is_empty());
    assert_eq!(client.ticket_ids("category=duty", "lilian").await, [id]);
    assert_eq!(client.ticket_ids("category=relation", "lilian").await, [id]);
    // A workflow admin passes it on without being its handler; others may not.
    client
        .post(
            &path(id, "deliver"),
            "webb",
            json!({"target_username": "scm", "from_admin": 1}),
        )
        .await
        .assert_error("user has no permission to manage this ticket");
    server
        .db
        .execute(
            "INSERT INTO workflow_admins (workflow_id, username, creator, gmt_created, gmt_modified) \
             VALUES (1, 'webb', 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .await;
    client
        .post(
            &path(id, "deliver"),
            "webb",
            json!({"target_username": "scm", "from_admin": true}),
        )
        .await
        .data();
    assert_eq!(value(&client, id).await["participant"], "scm");
    client.handle(id, "scm", 2).await;
    assert_eq!(value(&client, id).await["participant"], "hr");
}

async fn add_node_then_add_node_end_returns_to_the_first_handler(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let id = client.create_ticket("webb", leave()).await;
    client
        .post(&path(id, "add_node_end"), "admin", json!({}))
        .await
        .assert_error("ticket is not in add node state");
    client
        .post(&path(id, "add_node"), "admin", json!({"target_username": "admin"}))
        .await
        .assert_error("another user");
    client
        .post(
            &path(id, "add_node"),
            "admin",
            json!({"target_username": "lilian", "suggestion": "帮看下"}),
        )
        .await
        .data();
    let ticket = value(&client, id).await;
    assert_eq!(ticket["participant"], "lilian");
    assert_eq!(ticket["in_add_node"], true);
    assert_eq!(ticket["add_node_man"], "admin");
    assert_eq!(
        newest_log(&client, id).await,
        (2, "加签操作".into(), "admin".into(), 2, "帮看下".into())
    );
    let offered = client.get(&path(id, "transitions"), "lilian").await;
    assert_eq!(offered.data()["value"][0]["transition_name"], "完成");
    assert_eq!(offered.data()["value"][0]["in_add_node"], true);
    client
        .patch(
            &format!("/api/v1.0/tickets/{id}"),
            "lilian",
            json!({"transition_id": 2}),
        )
        .await
        .assert_error("加签中");
    client
        .patch(&format!("/api/v1.0/tickets/{id}"), "admin", json!({"transition_id": 2}))
        .await
        .assert_error("no permission");
    client
        .post(&path(id, "add_node"), "lilian", json!({"target_username": "david"}))
        .await
        .assert_error("already in add node");
    assert_eq!(client.ticket_ids("category=duty", "lilian").await, [id]);

    client
        .post(&path(id, "add_node_end"), "lilian", json!({"suggestion": "同意"}))
        .await
        .data();
    let ticket = value(&client, id).await;
    assert_eq!(
        (ticket["participant"].clone(), ticket["in_add_node"].clone()),
        (json!("admin"), json!(false))
    );
    assert_eq!(ticket["add_node_man"], "");
    assert_eq!(
        newest_log(&client, id).await,
        (3, "加签完成操作".into(), "lilian".into(), 2, "同意".into())
    );
    assert!(client.ticket_ids("category=duty", "lilian").await.is_empty());
    // An empty body is fine where every key is optional.
    let answer = client
        .send_raw(
            reqwest::Method::POST,
            &path(id, "add_node_end"),
            client.signed_headers(Some("admin")),
            "",
        )
        .await;
    answer.assert_error("ticket is not in add node state");
    client.handle(id, "admin", 2).await;
}

async fn admins_set_the_state_and_its_handlers_are_resolved(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let id = client.create_ticket("webb", leave()).await;
    let put = |user: &'static str, body: Value| {
        let client = server.client();
        async move {
            client
                .send(
                    reqwest::Method::PUT,
                    &path(id, "state"),
                    client.signed_headers(Some(user)),
                    Some(body),
                )
                .await
        }
    };
    put("webb", json!({"state_id": 3}))
        .await
        .assert_error("user has no permission to manage this ticket");
    put("nobody", json!({"state_id": 3}))
        .await
        .assert_error("username: nobody is not existed");
    put("admin", json!({"state_id": 7}))
        .await
        .assert_error("state 7 is not a state of this ticket's workflow");
    put("admin", json!({"state_id": 999}))
        .await
        .assert_error("is not a state");
    put("admin", json!({}))
        .await
        .assert_error("state_id is needed and type should be int");
    put("admin", json!({"state_id": 3, "x": 1}))
        .await
        .assert_error("Wrong key");
    assert_eq!(value(&client, id).await["state_id"], 2, "refusals change nothing");

    put("admin", json!({"state_id": 3, "suggestion": "直接给人事"}))
        .await
        .data();
    let ticket = value(&client, id).await;
    assert_eq!(
        (
            ticket["state_id"].clone(),
            ticket["participant"].clone(),
            ticket["act_state_id"].clone()
        ),
        (json!(3), json!("hr"), json!(1))
    );
    assert_eq!(
        newest_log(&client, id).await,
        (8, "强制修改状态".into(), "admin".into(), 2, "直接给人事".into())
    );
    assert_eq!(client.ticket_ids("category=duty", "hr").await, [id]);
    assert!(client.ticket_ids("category=duty", "admin").await.is_empty());
    put("admin", json!({"state_id": 4})).await.data();
    let ticket = value(&client, id).await;
    assert_eq!(
        (ticket["act_state_id"].clone(), ticket["participant"].clone()),
        (json!(5), json!(""))
    );
    assert!(client.ticket_ids("category=duty", "hr").await.is_empty());
    put("admin", json!({"state_id": 1})).await.data();
    let ticket = value(&client, id).await;
    assert_eq!(
        (ticket["act_state_id"].clone(), ticket["participant"].clone()),
        (json!(0), json!("webb"))
    );
}

async fn close_ends_the_ticket_for_admins_and_creators_at_the_start(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let id = client.create_ticket("webb", leave()).await;
    client
        .post(&path(id, "close"), "webb", json!({}))
        .await
        .assert_error("just ticket's creator can close ticket in start state");
    client
        .post(&path(id, "close"), "hr", json!({}))
        .await
        .assert_error("just ticket's creator");
    let answer = client
        .post(&path(id, "close"), "admin", json!({"suggestion": "不需要了"}))
        .await;
    assert_eq!(answer.data(), &json!(""));
    let ticket = value(&client, id).await;
    assert_eq!(
        (
            ticket["state_id"].clone(),
            ticket["act_state_id"].clone(),
            ticket["participant"].clone()
        ),
        (json!(4), json!(5), json!(""))
    );
    assert_eq!(
        newest_log(&client, id).await,
        (7, "强制关闭".into(), "admin".into(), 4, "强制关闭工单:不需要了".into())
    );
    assert!(client.ticket_ids("category=duty", "admin").await.is_empty());
    assert_eq!(client.ticket_ids("category=all&is_end=1", "admin").await, [id]);
    client
        .post(&path(id, "close"), "admin", json!({}))
        .await
        .assert_error("already finished or closed");

    // Rejected back to the start, the creator may close it.
    let other = client.create_ticket("webb", leave()).await;
    client.handle(other, "admin", 3).await;
    let answer = client
        .send_raw(
            reqwest::Method::POST,
            &path(other, "close"),
            client.signed_headers(Some("webb")),
            "",
        )
        .await;
    assert_eq!(answer.data(), &json!(""));
    assert_eq!(value(&client, other).await["act_state_id"], 5);
}

async fn the_creator_retreats_where_the_state_allows(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    // 请假申请: its team-lead state (12) allows retreat; the admin step (13) does not.
    let body = json!({
        "workflow_id": 3, "transition_id": 12, "title": "年假", "leave_start": "2026-12-01 09:00:00",
        "leave_end": "2026-12-03 18:00:00", "leave_days": 3, "leave_proxy": "ops", "leave_type": "1", "leave_reason": "旅行"
    });
    let id = client.create_ticket("webb", body.clone()).await;
    let ticket = value(&client, id).await;
    assert_eq!(ticket["state_id"], 12);
    let tl = ticket["participant"].as_str().unwrap().to_string();
    client
        .post(&path(id, "retreat"), "admin", json!({}))
        .await
        .assert_error("just ticket's creator can retreat");
    client
        .post(&path(id, "retreat"), "webb", json!({"suggestion": "写错了"}))
        .await
        .data();
    let ticket = value(&client, id).await;
    assert_eq!(
        (
            ticket["state_id"].clone(),
            ticket["act_state_id"].clone(),
            ticket["participant"].clone()
        ),
        (json!(10), json!(3), json!("webb"))
    );
    assert_eq!(
        newest_log(&client, id).await,
        (10, "撤回操作".into(), "webb".into(), 10, "写错了".into())
    );
    assert!(client.ticket_ids("category=duty", &tl).await.is_empty());
    assert_eq!(client.ticket_ids("category=duty", "webb").await, [id]);
    client
        .post(&path(id, "retreat"), "webb", json!({}))
        .await
        .assert_error("now state can not be retreat");

    let second = client.create_ticket("webb", body).await;
    let tl = value(&client, second).await["participant"]
        .as_str()
        .unwrap()
        .to_string();
    client.handle(second, &tl, 15).await;
    assert_eq!(value(&client, second).await["state_id"], 13);
    client
        .post(&path(second, "retreat"), "webb", json!({}))
        .await
        .assert_error("now state can not be retreat");
}

async fn admins_delete_tickets(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let id = client.create_ticket("webb", leave()).await;
    let delete = |user: &'static str| {
        let client = server.client();
        async move {
            client
                .send(
                    reqwest::Method::DELETE,
                    &format!("/api/v1.0/tickets/{id}"),
                    client.signed_headers(Some(user)),
                    Some(json!({"suggestion": "重复"})),
                )
                .await
        }
    };
    delete("webb")
        .await
        .assert_error("user has no permission to manage this ticket");
    assert_eq!(client.ticket_ids("category=all", "admin").await, [id]);
    delete("admin").await.data();
    client
        .get(&format!("/api/v1.0/tickets/{id}"), "admin")
        .await
        .assert_error("is not existed or has been deleted");
    assert!(client.ticket_ids("category=all", "admin").await.is_empty());
    assert!(client.ticket_ids("category=duty", "admin").await.is_empty());
    delete("admin").await.assert_error("is not existed or has been deleted");
    // Loonflow's batch state query still reports deleted tickets.
    let states = client
        .get(&format!("/api/v1.0/tickets/states?ticket_ids={id}"), "admin")
        .await;
    assert_eq!(states.data()[id.to_string()]["state_id"], 2);
}
