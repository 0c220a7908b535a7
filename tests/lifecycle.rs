//! The demo leave request from creation to its end, as a loonflow caller runs it, checked
//! through every read endpoint; and the ways a handle is refused.

use serde_json::{Value, json};

use crate::support::{Backend, Server, on_both_backends};

on_both_backends!(
    leave_request_runs_from_creation_to_end,
    rejection_sends_the_ticket_back_and_marks_it_rejected,
    serial_numbers_use_the_app_prefix_and_count_per_day,
    handles_are_refused_with_the_reason_and_change_nothing,
    unknown_and_foreign_tickets_are_clear_errors,
    malformed_bodies_name_the_problem,
    concurrent_handles_of_one_ticket_let_exactly_one_win,
    view_permission_is_checked_when_the_workflow_asks,
);

fn leave(title: &str) -> Value {
    json!({
        "workflow_id": 1, "transition_id": 1, "title": title, "reason": "家里有事",
        "date_start": "2026-12-01 09:00:00", "date_end": "2026-12-02 18:00:00", "suggestion": "请批准"
    })
}

async fn leave_request_runs_from_creation_to_end(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let id = client.create_ticket("webb", leave("年假")).await;

    // webb's dept (loonflow) has approver admin: creator_tl resolves to admin.
    let detail = client.get(&format!("/api/v1.0/tickets/{id}"), "admin").await;
    let value = &detail.data()["value"];
    assert_eq!(value["state_id"], 2);
    assert_eq!(value["participant_type_id"], 1);
    assert_eq!(value["participant"], "admin");
    assert_eq!(value["act_state_id"], 1);
    assert_eq!(value["creator"], "webb");
    assert_eq!(value["is_end"], false);
    assert_eq!(value["state_info"]["name"], "tl审批中");
    assert_eq!(value["creator_info"]["alias"], "webb");
    assert_eq!(value["creator_info"]["dept_info"]["name"], "loonflow");
    let fields: Vec<(&str, &Value, i64)> = value["field_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field_key"].as_str().unwrap(),
                &f["field_value"],
                f["field_attribute"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            ("title", &json!("年假"), 1),
            ("date_start", &json!("2026-12-01 09:00:00"), 1),
            ("date_end", &json!("2026-12-02 18:00:00"), 1),
            ("state.state_name", &json!("tl审批中"), 1),
            ("participant_info.participant_name", &json!("admin"), 1),
            ("workflow.workflow_name", &json!("请假流程"), 1),
            ("reason", &json!("家里有事"), 1),
        ]
    );

    // Lists right after creation.
    assert_eq!(client.ticket_ids("category=duty", "admin").await, [id]);
    assert!(client.ticket_ids("category=duty", "webb").await.is_empty());
    assert_eq!(client.ticket_ids("category=owner", "webb").await, [id]);
    assert_eq!(client.ticket_ids("category=relation", "webb").await, [id]);
    assert_eq!(client.ticket_ids("category=relation", "admin").await, [id]);
    assert!(client.ticket_ids("category=relation", "hr").await.is_empty());
    assert!(client.ticket_ids("category=worked", "admin").await.is_empty());
    assert_eq!(client.ticket_ids("category=all", "hr").await, [id]);

    let transitions = client
        .get(&format!("/api/v1.0/tickets/{id}/transitions"), "admin")
        .await;
    let names: Vec<&str> = transitions.data()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["transition_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["同意", "拒绝"]);
    assert_eq!(
        client
            .get(&format!("/api/v1.0/tickets/{id}/transitions"), "hr")
            .await
            .data()["value"],
        json!([])
    );

    client.handle(id, "admin", 2).await;
    // HR dept (2) has hr; it has no sub-departments.
    let value = client.get(&format!("/api/v1.0/tickets/{id}"), "hr").await.data()["value"].clone();
    assert_eq!(
        (value["state_id"].clone(), value["participant"].clone()),
        (json!(3), json!("hr"))
    );
    assert!(client.ticket_ids("category=duty", "admin").await.is_empty());
    assert_eq!(client.ticket_ids("category=worked", "admin").await, [id]);
    assert_eq!(client.ticket_ids("category=duty", "hr").await, [id]);

    client.handle(id, "hr", 4).await;
    let value = client.get(&format!("/api/v1.0/tickets/{id}"), "webb").await.data()["value"].clone();
    assert_eq!(value["state_id"], 4);
    assert_eq!(value["act_state_id"], 4, "finished");
    assert_eq!(value["participant"], "");
    assert_eq!(value["is_end"], true);
    // At the end nobody may handle it, so it is shown through display_form_str.
    let keys: Vec<&str> = value["field_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field_key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "sn",
            "title",
            "state.state_name",
            "participant_info.participant_name",
            "workflow.workflow_name",
            "gmt_created"
        ]
    );
    assert!(client.ticket_ids("category=duty", "hr").await.is_empty());
    assert_eq!(client.ticket_ids("category=worked", "hr").await, [id]);
    assert_eq!(client.ticket_ids("category=relation", "hr").await, [id]);
    assert_eq!(client.ticket_ids("is_end=1&category=all", "hr").await, [id]);
    assert!(client.ticket_ids("is_end=0&category=all", "hr").await.is_empty());

    let list = client.get("/api/v1.0/tickets?category=owner", "webb").await;
    let item = &list.data()["value"][0];
    assert_eq!(
        item["state"],
        json!({"state_id": 4, "state_name": "结束", "state_label": {}})
    );
    assert_eq!(
        item["workflow_info"],
        json!({"workflow_id": 1, "workflow_name": "请假流程"})
    );
    assert_eq!(item["workflow"], item["workflow_info"]);
    assert_eq!(item["creator_info"]["username"], "webb");
    assert_eq!(item["participant_info"]["participant_type_name"], "个人");

    let logs = client
        .get(&format!("/api/v1.0/tickets/{id}/flowlogs?ticket_data=1"), "webb")
        .await;
    let data = logs.data();
    assert_eq!(data["total"], 3);
    let summary: Vec<(i64, &str, &str, i64)> = data["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|log| {
            (
                log["state"]["state_id"].as_i64().unwrap(),
                log["transition"]["transition_name"].as_str().unwrap(),
                log["participant"].as_str().unwrap(),
                log["transition"]["attribute_type_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [(3, "同意", "hr", 1), (2, "同意", "admin", 1), (1, "提交", "webb", 1)],
        "newest first"
    );
    let creation = &data["value"][2];
    assert_eq!(creation["suggestion"], "请批准");
    assert_eq!(creation["participant_info"]["participant_alias"], "webb");
    assert_eq!(creation["participant_info"]["participant_email"], "webb@1111.com");
    assert_eq!(creation["ticket_data"]["reason"], "家里有事");
    assert_eq!(creation["ticket_data"]["state_id"], 2, "snapshot after the creation");
    assert_eq!(data["value"][0]["ticket_data"]["act_state_id"], 4);
    let plain = client.get(&format!("/api/v1.0/tickets/{id}/flowlogs"), "webb").await;
    assert!(plain.data()["value"][0].get("ticket_data").is_none());
    let paged = client
        .get(&format!("/api/v1.0/tickets/{id}/flowlogs?per_page=1&page=3"), "webb")
        .await;
    assert_eq!(paged.data()["value"][0]["participant"], "webb");

    let steps = client.get(&format!("/api/v1.0/tickets/{id}/flowsteps"), "webb").await;
    let data = steps.data();
    assert_eq!(data["current_state_id"], 4);
    let steps: Vec<(&str, usize)> = data["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["state_name"].as_str().unwrap(),
                s["state_flow_log_list"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [("发起人-编辑中", 1), ("tl审批中", 1), ("人事审批中", 1), ("结束", 0)]
    );
    assert_eq!(data["value"][1]["state_flow_log_list"][0]["attribute_type_id"], 1);

    let states = client
        .get(&format!("/api/v1.0/tickets/states?ticket_ids={id},999"), "webb")
        .await;
    assert_eq!(
        states.data(),
        &json!({id.to_string(): {"state_id": 4, "state_name": "结束"}})
    );
}

async fn rejection_sends_the_ticket_back_and_marks_it_rejected(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let id = client.create_ticket("webb", leave("病假")).await;
    client.handle(id, "admin", 3).await;
    let value = client.get(&format!("/api/v1.0/tickets/{id}"), "webb").await.data()["value"].clone();
    assert_eq!(value["state_id"], 1, "back at the start state");
    assert_eq!(value["participant"], "webb", "start states return to the creator");
    assert_eq!(value["act_state_id"], 2, "rejected");
    assert_eq!(client.ticket_ids("category=duty", "webb").await, [id]);
    assert_eq!(client.ticket_ids("is_rejected=1&category=all", "webb").await, [id]);
    assert!(client.ticket_ids("is_rejected=0&category=all", "webb").await.is_empty());
    // The creator submits again: ongoing once more.
    client.handle(id, "webb", 1).await;
    let value = client.get(&format!("/api/v1.0/tickets/{id}"), "webb").await.data()["value"].clone();
    assert_eq!(
        (value["state_id"].clone(), value["act_state_id"].clone()),
        (json!(2), json!(1))
    );
}

async fn serial_numbers_use_the_app_prefix_and_count_per_day(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let today = chrono::Local::now().format("%Y%m%d").to_string();
    let mut sns = Vec::new();
    for n in 0..3 {
        let id = client.create_ticket("webb", leave(&format!("t{n}"))).await;
        sns.push(client.get(&format!("/api/v1.0/tickets/{id}"), "webb").await.data()["value"]["sn"].clone());
    }
    assert_eq!(
        sns,
        [
            json!(format!("ops_{today}0001")),
            json!(format!("ops_{today}0002")),
            json!(format!("ops_{today}0003"))
        ]
    );
    // Concurrent creations still get distinct numbers.
    let creations = (0..12).map(|n| {
        let client = server.client();
        async move { client.create_ticket("webb", leave(&format!("c{n}"))).await }
    });
    let ids = futures_join(creations).await;
    let mut all = Vec::new();
    for id in ids {
        all.push(
            client.get(&format!("/api/v1.0/tickets/{id}"), "webb").await.data()["value"]["sn"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 12);
}

/// Runs futures concurrently on the test's runtime.
async fn futures_join<F: Future<Output = T> + Send + 'static, T: Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<T> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.expect("task"));
    }
    results
}

async fn handles_are_refused_with_the_reason_and_change_nothing(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let id = client.create_ticket("webb", leave("事假")).await;
    let path = format!("/api/v1.0/tickets/{id}");
    client
        .patch(&path, "hr", json!({"transition_id": 2}))
        .await
        .assert_error("not current participant, no permission");
    client
        .patch(&path, "webb", json!({"transition_id": 2}))
        .await
        .assert_error("no permission");
    client
        .patch(&path, "admin", json!({"transition_id": 4}))
        .await
        .assert_error("transition_id is invalid");
    client
        .patch(&path, "admin", json!({"transition_id": 999}))
        .await
        .assert_error("transition_id is invalid");
    client
        .patch(&path, "admin", json!({"transition_id": 6}))
        .await
        .assert_error("transition_id is invalid");
    client
        .patch(&path, "admin", json!({}))
        .await
        .assert_error("transition_id is needed");
    client
        .patch(&path, "admin", json!({"transition_id": "2"}))
        .await
        .assert_error("transition_id is needed and type should be int");
    let value = client.get(&path, "admin").await.data()["value"].clone();
    assert_eq!(
        (value["state_id"].clone(), value["participant"].clone()),
        (json!(2), json!("admin"))
    );
    let logs = client.get(&format!("{path}/flowlogs"), "admin").await;
    assert_eq!(logs.data()["total"], 1, "refusals write no log");
}

async fn unknown_and_foreign_tickets_are_clear_errors(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    for path in [
        "/api/v1.0/tickets/999",
        "/api/v1.0/tickets/999/transitions",
        "/api/v1.0/tickets/999/flowlogs",
        "/api/v1.0/tickets/999/flowsteps",
        "/api/v1.0/tickets/999/participant_info",
    ] {
        client
            .get(path, "admin")
            .await
            .assert_error("ticket 999 is not existed or has been deleted");
    }
    client
        .patch("/api/v1.0/tickets/999", "admin", json!({"transition_id": 2}))
        .await
        .assert_error("is not existed");
    // A ticket of a workflow the calling app may not use is invisible to it.
    let id = client.create_ticket("webb", leave("x")).await;
    server
        .db
        .execute(
            "INSERT INTO app_tokens (app_name, token, workflow_ids, ticket_sn_prefix, creator, gmt_created, gmt_modified) \
             VALUES ('cmdb', 'cmdb-token', '2', 'cmdb', 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .await;
    let cmdb = server.client_for("cmdb", "cmdb-token");
    cmdb.get(&format!("/api/v1.0/tickets/{id}"), "admin")
        .await
        .assert_error("is not existed");
    cmdb.patch(&format!("/api/v1.0/tickets/{id}"), "admin", json!({"transition_id": 2}))
        .await
        .assert_error("is not existed");
    assert!(cmdb.ticket_ids("category=all", "admin").await.is_empty());
    assert_eq!(
        cmdb.get(&format!("/api/v1.0/tickets/states?ticket_ids={id}"), "admin")
            .await
            .data(),
        &json!({})
    );
    cmdb.post("/api/v1.0/tickets", "webb", leave("y"))
        .await
        .assert_error("APP:cmdb have no permission to create this workflow ticket");
}

async fn malformed_bodies_name_the_problem(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let raw = |body: &'static str| {
        let client = server.client();
        async move {
            let mut headers = client.signed_headers(Some("webb"));
            headers.push(("content-type".into(), "application/json".into()));
            client
                .send_raw(reqwest::Method::POST, "/api/v1.0/tickets", headers, body)
                .await
        }
    };
    raw("{not json").await.assert_error("请求参数不合法");
    raw("[1,2]").await.assert_error("must be a JSON object");
    raw("").await.assert_error("post参数为空");
    client
        .post("/api/v1.0/tickets", "webb", json!({"transition_id": 1}))
        .await
        .assert_error("workflow_id is needed");
    client
        .post("/api/v1.0/tickets", "webb", json!({"workflow_id": 1}))
        .await
        .assert_error("transition_id is needed");
    client
        .post(
            "/api/v1.0/tickets",
            "webb",
            json!({"workflow_id": 1, "transition_id": 2}),
        )
        .await
        .assert_error("transition_id is invalid");
    client
        .post(
            "/api/v1.0/tickets",
            "webb",
            json!({"workflow_id": 1, "transition_id": 1, "suggestion": 5}),
        )
        .await
        .assert_error("suggestion must be a string");
    client
        .post(
            "/api/v1.0/tickets",
            "webb",
            json!({"workflow_id": 1, "transition_id": 1, "title": ["a"]}),
        )
        .await
        .assert_error("title must be a string");
    let answer = client
        .send(
            reqwest::Method::POST,
            "/api/v1.0/tickets",
            client.signed_headers(None),
            Some(leave("x")),
        )
        .await;
    answer.assert_error("username");
    assert!(
        client.ticket_ids("category=all", "webb").await.is_empty(),
        "nothing was created"
    );
    client
        .get("/api/v1.0/tickets", "webb")
        .await
        .assert_error("category value is invalid");
    client
        .get("/api/v1.0/tickets?category=mine", "webb")
        .await
        .assert_error("category value is invalid");
}

async fn concurrent_handles_of_one_ticket_let_exactly_one_win(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    // ops and ops2 may both handle the role state of vpn申请 directly.
    for round in 0..5 {
        let id = client
            .create_ticket(
                "webb",
                json!({"workflow_id": 2, "transition_id": 6, "title": format!("vpn {round}"), "reason": "远程"}),
            )
            .await;
        let attempts = [("ops", 7), ("ops2", 7)].map(|(user, transition)| {
            let client = server.client();
            async move {
                client
                    .patch(
                        &format!("/api/v1.0/tickets/{id}"),
                        user,
                        json!({"transition_id": transition}),
                    )
                    .await
            }
        });
        let answers = futures_join(attempts.into_iter()).await;
        let wins = answers.iter().filter(|answer| answer.code() == 0).count();
        assert_eq!(wins, 1, "round {round}: {answers:?}");
        let loser = answers.iter().find(|answer| answer.code() != 0).unwrap();
        assert!(!loser.msg().is_empty());
        let logs = client.get(&format!("/api/v1.0/tickets/{id}/flowlogs"), "webb").await;
        assert_eq!(logs.data()["total"], 2, "creation plus exactly one transition");
        let value = client.get(&format!("/api/v1.0/tickets/{id}"), "webb").await.data()["value"].clone();
        assert_eq!(value["state_id"], 5, "rejected back to the start state once");
    }
}

async fn view_permission_is_checked_when_the_workflow_asks(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let id = client.create_ticket("webb", leave("查看权限")).await;
    let path = format!("/api/v1.0/tickets/{id}");
    // Without the check anyone may view it, read-only, through display_form_str.
    let viewer = client.get(&path, "scm").await;
    let keys: Vec<&str> = viewer.data()["value"]["field_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field_key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "sn",
            "title",
            "state.state_name",
            "participant_info.participant_name",
            "workflow.workflow_name",
            "gmt_created"
        ]
    );
    assert!(
        viewer.data()["value"]["field_list"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["field_attribute"] == 1)
    );

    server
        .db
        .execute("UPDATE workflows SET view_permission_check = 1 WHERE id = 1")
        .await;
    client
        .get(&path, "scm")
        .await
        .assert_error("user is not relation about this ticket and the workflow open view permission check");
    client
        .get(&path, "nobody")
        .await
        .assert_error("user nobody is not existed");
    // The creator and the current handler are related; a super admin sees everything.
    assert_eq!(client.get(&path, "webb").await.data()["value"]["id"], id);
    assert_eq!(client.get(&path, "admin").await.data()["value"]["id"], id);
    client.handle(id, "admin", 2).await;
    assert_eq!(
        client.get(&path, "admin").await.data()["value"]["state_id"],
        3,
        "admin stays related after handling"
    );
    assert_eq!(client.get(&path, "hr").await.data()["value"]["participant"], "hr");
    client.get(&path, "lilian").await.assert_error("user is not relation");
    // A missing username is refused before anything else.
    let answer = client
        .send(reqwest::Method::GET, &path, client.signed_headers(None), None)
        .await;
    answer.assert_error("参数不全，请提供username");
}
