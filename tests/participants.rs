//! Who handles a ticket: every participant type, every distribute type, remember-last-handler.

use serde_json::{Value, json};

use crate::support::fixtures::{Flow, Handlers};
use crate::support::server::Database;
use crate::support::{Backend, Client, Server, on_both_backends};

on_both_backends!(
    each_participant_type_resolves_to_its_people,
    ticket_and_parent_ticket_fields_name_the_handlers,
    inactive_and_deleted_users_are_never_handlers,
    accept_first_offers_only_accepting,
    random_distribution_picks_one_candidate,
    all_must_handle_waits_for_everyone_and_moves_when_they_agree,
    all_must_handle_restarts_when_choices_differ,
    a_state_remembers_its_last_handler,
);

const FIELDS: &str = r#"{"title":2,"approver":3}"#;
const SHOWN: &str = r#"{"title":1,"approver":1}"#;

/// Workflow 100: from the start, one transition into a state of each participant type; each of
/// those states leads to the end.
async fn install_participant_flow(db: &Database) {
    let states: [(i64, &str, Handlers<'_>); 8] = [
        (1001, "person", Handlers(1, "hr", 2)),
        (1002, "people", Handlers(2, "hr,lilian,hr", 2)),
        (1003, "dept", Handlers(3, "4", 2)),
        (1004, "role", Handlers(4, "1", 2)),
        (1005, "creator", Handlers(5, "creator", 2)),
        (1006, "creator_tl", Handlers(5, "creator_tl", 2)),
        (1007, "field", Handlers(7, "approver", 2)),
        (1009, "two depts", Handlers(3, "2,3,999", 2)),
    ];
    let mut flow = Flow::new(100, "participants")
        .field(1000, "approver", 60, 10)
        .state(1000, "start", 1, Handlers(0, "", 2), FIELDS)
        .state(1008, "end", 2, Handlers(0, "", 2), "{}");
    for (id, name, handlers) in states {
        flow = flow
            .state(id, name, 0, handlers, SHOWN)
            .transition(id, name, 1000, id, 1)
            .transition(id + 100, "done", id, 1008, 1);
    }
    flow.install(db).await;
}

async fn ticket(client: &Client, id: i64) -> Value {
    client.get(&format!("/api/v1.0/tickets/{id}"), "admin").await.data()["value"].clone()
}

async fn handlers_of(client: &Client, id: i64) -> (i64, String) {
    let value = ticket(client, id).await;
    (
        value["participant_type_id"].as_i64().unwrap(),
        value["participant"].as_str().unwrap().to_string(),
    )
}

/// Users whose transitions list is not empty.
async fn who_may_act(client: &Client, id: i64, candidates: &[&str]) -> Vec<String> {
    let mut allowed = Vec::new();
    for user in candidates {
        let answer = client.get(&format!("/api/v1.0/tickets/{id}/transitions"), user).await;
        if !answer.data()["value"].as_array().unwrap().is_empty() {
            allowed.push(user.to_string());
        }
    }
    allowed
}

const EVERYONE: [&str; 10] = [
    "admin", "webb", "ops", "hr", "scm", "lilian", "david", "goods_1", "goods_2", "ops2",
];

async fn each_participant_type_resolves_to_its_people(backend: Backend) {
    let server = Server::start(backend).await;
    install_participant_flow(&server.db).await;
    let client = server.client();
    let create = |creator: &'static str, transition: i64| {
        let client = server.client();
        async move {
            client
                .create_ticket(
                    creator,
                    json!({"workflow_id": 100, "transition_id": transition, "title": "p"}),
                )
                .await
        }
    };

    let person = create("webb", 1001).await;
    assert_eq!(handlers_of(&client, person).await, (1, "hr".into()));
    assert_eq!(who_may_act(&client, person, &EVERYONE).await, ["hr"]);

    // Several people: duplicates dropped, first-seen order kept.
    let people = create("webb", 1002).await;
    assert_eq!(handlers_of(&client, people).await, (2, "hr,lilian".into()));
    assert_eq!(who_may_act(&client, people, &EVERYONE).await, ["hr", "lilian"]);
    let info = &ticket(&client, people).await["field_list"];
    assert!(info.is_array());

    // Dept 4 and its sub-departments 5, 6 and 7.
    let dept = create("webb", 1003).await;
    assert_eq!(
        handlers_of(&client, dept).await,
        (2, "ops,lilian,david,goods_1,goods_2,ops2".into())
    );
    // Several departments, one unknown: the others still count.
    let depts = create("webb", 1009).await;
    assert_eq!(handlers_of(&client, depts).await, (2, "hr,scm".into()));

    let role = create("webb", 1004).await;
    assert_eq!(handlers_of(&client, role).await, (2, "ops,ops2".into()));
    let listed = client.get("/api/v1.0/tickets?category=duty", "ops2").await;
    assert_eq!(
        listed.data()["value"][0]["participant_info"]["participant_type_name"],
        "多人"
    );
    assert_eq!(
        listed.data()["value"][0]["participant_info"]["participant_alias"],
        "ops,ops2"
    );

    let creator = create("david", 1005).await;
    assert_eq!(handlers_of(&client, creator).await, (1, "david".into()));

    // creator_tl: the approvers of the creator's department (goods: goods_1 and goods_2).
    let tl = create("goods_1", 1006).await;
    assert_eq!(handlers_of(&client, tl).await, (2, "goods_1,goods_2".into()));
    // A department without approvers falls back to its leader.
    server.db.execute("UPDATE depts SET approver = '' WHERE id = 5").await;
    let leader = create("david", 1006).await;
    assert_eq!(handlers_of(&client, leader).await, (1, "david".into()));
    // A creator unknown to the directory has no creator_tl: a clear error, nothing created.
    client
        .post(
            "/api/v1.0/tickets",
            "stranger",
            json!({"workflow_id": 100, "transition_id": 1006}),
        )
        .await
        .assert_error("creator_tl is unknown");

    // Every handler sees the ticket in its duty list; the list entry names them.
    for user in ["ops", "lilian", "david", "goods_1", "goods_2", "ops2"] {
        assert!(client.ticket_ids("category=duty", user).await.contains(&dept), "{user}");
    }
}

async fn ticket_and_parent_ticket_fields_name_the_handlers(backend: Backend) {
    let server = Server::start(backend).await;
    install_participant_flow(&server.db).await;
    Flow::new(103, "child")
        .state(1300, "start", 1, Handlers(0, "", 2), r#"{"title":2}"#)
        .state(1301, "parent approver", 0, Handlers(8, "approver", 2), SHOWN)
        .state(1302, "end", 2, Handlers(0, "", 2), "{}")
        .transition(1300, "submit", 1300, 1301, 1)
        .transition(1301, "done", 1301, 1302, 1)
        .install(&server.db)
        .await;
    let client = server.client();

    let by_field = client
        .create_ticket(
            "webb",
            json!({"workflow_id": 100, "transition_id": 1007, "approver": "lilian"}),
        )
        .await;
    assert_eq!(handlers_of(&client, by_field).await, (1, "lilian".into()));
    client
        .post(
            "/api/v1.0/tickets",
            "webb",
            json!({"workflow_id": 100, "transition_id": 1007}),
        )
        .await
        .assert_error("participant field approver of state 1007 is empty");

    let parent = client
        .create_ticket(
            "webb",
            json!({"workflow_id": 100, "transition_id": 1001, "approver": "david"}),
        )
        .await;
    let child = client
        .create_ticket(
            "webb",
            json!({"workflow_id": 103, "transition_id": 1300, "parent_ticket_id": parent, "parent_ticket_state_id": 1001}),
        )
        .await;
    assert_eq!(handlers_of(&client, child).await, (1, "david".into()));
    let children = client
        .ticket_ids(&format!("category=all&parent_ticket_id={parent}"), "webb")
        .await;
    assert_eq!(children, [child]);
    client
        .post("/api/v1.0/tickets", "webb", json!({"workflow_id": 103, "transition_id": 1300, "parent_ticket_id": 9999, "parent_ticket_state_id": 1001}))
        .await
        .assert_error("parent ticket 9999 is not existed");
}

async fn inactive_and_deleted_users_are_never_handlers(backend: Backend) {
    let server = Server::start(backend).await;
    install_participant_flow(&server.db).await;
    server
        .db
        .execute("UPDATE users SET is_active = 0 WHERE username = 'ops2'")
        .await;
    server
        .db
        .execute("UPDATE users SET is_deleted = 1 WHERE username = 'david'")
        .await;
    let client = server.client();
    let role = client
        .create_ticket("webb", json!({"workflow_id": 100, "transition_id": 1004}))
        .await;
    assert_eq!(handlers_of(&client, role).await, (1, "ops".into()));
    let dept = client
        .create_ticket("webb", json!({"workflow_id": 100, "transition_id": 1003}))
        .await;
    assert_eq!(
        handlers_of(&client, dept).await,
        (2, "ops,lilian,goods_1,goods_2".into())
    );
}

/// Workflow 101: one state per distribute type, all handled by ops and ops2.
async fn install_distribute_flow(db: &Database) {
    Flow::new(101, "distribute")
        .state(1100, "start", 1, Handlers(0, "", 2), r#"{"title":2}"#)
        .state(1101, "accept first", 0, Handlers(2, "ops,ops2", 1), SHOWN)
        .state(1102, "random", 0, Handlers(2, "ops,ops2,hr", 3), SHOWN)
        .state(1103, "all", 0, Handlers(2, "ops,ops2", 4), SHOWN)
        .state(1104, "end", 2, Handlers(0, "", 2), "{}")
        .transition(1100, "to accept", 1100, 1101, 1)
        .transition(1101, "to random", 1100, 1102, 1)
        .transition(1102, "to all", 1100, 1103, 1)
        .transition(1103, "done", 1101, 1104, 1)
        .transition(1104, "done", 1102, 1104, 1)
        .transition(1105, "同意", 1103, 1104, 1)
        .transition(1106, "拒绝", 1103, 1100, 2)
        .install(db)
        .await;
}

async fn accept_first_offers_only_accepting(backend: Backend) {
    let server = Server::start(backend).await;
    install_distribute_flow(&server.db).await;
    let client = server.client();
    let id = client
        .create_ticket("webb", json!({"workflow_id": 101, "transition_id": 1100}))
        .await;
    assert_eq!(handlers_of(&client, id).await, (2, "ops,ops2".into()));
    for user in ["ops", "ops2"] {
        let offered = client.get(&format!("/api/v1.0/tickets/{id}/transitions"), user).await;
        assert_eq!(
            offered.data()["value"],
            json!([{"transition_id": 0, "transition_name": "接单", "field_require_check": false, "is_accept": true,
                    "in_add_node": false, "alert_enable": false, "alert_text": "", "attribute_type_id": 3}])
        );
    }
    client
        .patch(
            &format!("/api/v1.0/tickets/{id}"),
            "ops",
            json!({"transition_id": 1103}),
        )
        .await
        .assert_error("需要先接单再处理");
}

async fn random_distribution_picks_one_candidate(backend: Backend) {
    let server = Server::start(backend).await;
    install_distribute_flow(&server.db).await;
    let client = server.client();
    let mut picked = Vec::new();
    for _ in 0..12 {
        let id = client
            .create_ticket("webb", json!({"workflow_id": 101, "transition_id": 1101}))
            .await;
        let (type_id, participant) = handlers_of(&client, id).await;
        assert_eq!(type_id, 1, "one person");
        assert!(["ops", "ops2", "hr"].contains(&participant.as_str()), "{participant}");
        assert_eq!(
            who_may_act(&client, id, &["ops", "ops2", "hr"]).await,
            vec![participant.as_str()]
        );
        picked.push(participant);
    }
    picked.sort();
    picked.dedup();
    assert!(picked.len() > 1, "twelve random picks were all {picked:?}");
}

async fn all_must_handle_waits_for_everyone_and_moves_when_they_agree(backend: Backend) {
    let server = Server::start(backend).await;
    install_distribute_flow(&server.db).await;
    let client = server.client();
    let id = client
        .create_ticket("webb", json!({"workflow_id": 101, "transition_id": 1102}))
        .await;
    let value = ticket(&client, id).await;
    assert_eq!(value["participant"], "ops,ops2");
    assert_eq!(
        serde_json::from_str::<Value>(value["multi_all_person"].as_str().unwrap()).unwrap(),
        json!({"ops": {}, "ops2": {}})
    );

    client.handle(id, "ops", 1105).await;
    let value = ticket(&client, id).await;
    assert_eq!(value["state_id"], 1103, "still waiting for ops2");
    assert_eq!(value["participant"], "ops2");
    assert_eq!(value["act_state_id"], 1);
    let members: Value = serde_json::from_str(value["multi_all_person"].as_str().unwrap()).unwrap();
    assert_eq!(
        members,
        json!({"ops": {"transition_id": 1105, "transition_name": "同意"}, "ops2": {}})
    );
    assert!(client.ticket_ids("category=duty", "ops").await.is_empty());
    assert_eq!(client.ticket_ids("category=duty", "ops2").await, [id]);
    assert_eq!(client.ticket_ids("category=worked", "ops").await, [id]);
    let listed = client.get("/api/v1.0/tickets?category=duty", "ops2").await;
    let info = &listed.data()["value"][0]["participant_info"];
    assert_eq!(info["participant_type_name"], "多人且全部处理");
    assert_eq!(info["participant_alias"], "ops(ops)已处理:同意;ops2(ops2)未处理");
    client
        .patch(
            &format!("/api/v1.0/tickets/{id}"),
            "ops",
            json!({"transition_id": 1105}),
        )
        .await
        .assert_error("no permission");

    client.handle(id, "ops2", 1105).await;
    let value = ticket(&client, id).await;
    assert_eq!(value["state_id"], 1104);
    assert_eq!(value["act_state_id"], 4);
    assert_eq!(value["multi_all_person"], "{}");
    let logs = client.get(&format!("/api/v1.0/tickets/{id}/flowlogs"), "webb").await;
    assert_eq!(logs.data()["total"], 3);
}

async fn all_must_handle_restarts_when_choices_differ(backend: Backend) {
    let server = Server::start(backend).await;
    install_distribute_flow(&server.db).await;
    let client = server.client();
    let id = client
        .create_ticket("webb", json!({"workflow_id": 101, "transition_id": 1102}))
        .await;
    client.handle(id, "ops", 1105).await;
    client.handle(id, "ops2", 1106).await;
    let value = ticket(&client, id).await;
    assert_eq!(value["state_id"], 1103, "the ticket does not move on a split decision");
    assert_eq!(value["act_state_id"], 1, "not marked rejected since it did not move");
    assert_eq!(value["participant"], "ops,ops2");
    assert_eq!(
        serde_json::from_str::<Value>(value["multi_all_person"].as_str().unwrap()).unwrap(),
        json!({"ops": {}, "ops2": {}})
    );
    let logs = client.get(&format!("/api/v1.0/tickets/{id}/flowlogs"), "webb").await;
    let newest = &logs.data()["value"][0];
    assert_eq!(newest["participant"], "loonrobot");
    assert!(newest["suggestion"].as_str().unwrap().contains("ops:同意"), "{newest}");
    // Both act again, alike this time: it moves back to the start, rejected.
    client.handle(id, "ops", 1106).await;
    client.handle(id, "ops2", 1106).await;
    let value = ticket(&client, id).await;
    assert_eq!(
        (value["state_id"].clone(), value["act_state_id"].clone()),
        (json!(1100), json!(2))
    );
    assert_eq!(value["participant"], "webb");
}

async fn a_state_remembers_its_last_handler(backend: Backend) {
    let server = Server::start(backend).await;
    Flow::new(102, "remember")
        .state(1200, "start", 1, Handlers(0, "", 2), r#"{"title":2}"#)
        .state(1201, "review", 0, Handlers(2, "ops,ops2", 2), SHOWN)
        .state(1202, "fix", 0, Handlers(5, "creator", 2), SHOWN)
        .state(1203, "end", 2, Handlers(0, "", 2), "{}")
        .transition(1200, "submit", 1200, 1201, 1)
        .transition(1201, "back", 1201, 1202, 2)
        .transition(1202, "resubmit", 1202, 1201, 1)
        .transition(1203, "done", 1201, 1203, 1)
        .sql("UPDATE states SET remember_last_man_enable = 1 WHERE id = 1201")
        .install(&server.db)
        .await;
    let client = server.client();
    let id = client
        .create_ticket("webb", json!({"workflow_id": 102, "transition_id": 1200}))
        .await;
    assert_eq!(
        handlers_of(&client, id).await,
        (2, "ops,ops2".into()),
        "first arrival: nobody to remember"
    );
    client.handle(id, "ops2", 1201).await;
    assert_eq!(handlers_of(&client, id).await, (1, "webb".into()));
    client.handle(id, "webb", 1202).await;
    assert_eq!(
        handlers_of(&client, id).await,
        (1, "ops2".into()),
        "back to the reviewer who sent it back"
    );
    assert_eq!(who_may_act(&client, id, &["ops", "ops2"]).await, ["ops2"]);
}
