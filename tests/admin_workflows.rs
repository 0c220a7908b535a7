//! Configuring workflows through the admin endpoints: building the demo leave request from
//! nothing and running a ticket through it, every validation error, the rights of super
//! admins, workflow admins and ordinary users, notices, the flowchart, and bad input.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Backend, Client, Server, keys, on_both_backends};

on_both_backends!(
    leave_workflow_built_from_nothing_runs_a_ticket_to_its_end,
    workflow_settings_are_checked_on_every_save,
    state_settings_are_checked_on_every_save,
    transition_and_field_settings_are_checked_on_every_save,
    parts_in_use_cannot_be_deleted_or_changed_under_their_users,
    validate_reports_the_whole_workflow,
    rights_of_super_admin_workflow_admin_and_ordinary_user,
    an_app_manages_only_its_workflows_and_gets_those_it_creates,
    lists_and_details_have_loonflow_shapes,
    notices_are_managed_by_super_admins_and_named_by_workflows,
    graph_of_the_demo_leave_workflow_in_both_formats,
    graph_marks_hidden_states_timers_and_conditions,
    bad_input_is_refused_in_the_envelope_and_changes_nothing,
);

const W: &str = "/api/v1.0/workflows";

fn created(answer: crate::support::Answer, key: &str) -> i64 {
    let data = answer.data();
    data.get(key)
        .or_else(|| data["value"].get(key))
        .and_then(Value::as_i64)
        .unwrap_or_else(|| panic!("no {key} in {data}"))
}

async fn new_workflow(client: &Client, username: &str, body: Value) -> i64 {
    created(client.post(W, username, body).await, "workflow_id")
}

async fn add_state(client: &Client, workflow: i64, body: Value) -> i64 {
    created(
        client.post(&format!("{W}/{workflow}/states"), "admin", body).await,
        "state_id",
    )
}

async fn add_transition(client: &Client, workflow: i64, body: Value) -> i64 {
    created(
        client.post(&format!("{W}/{workflow}/transitions"), "admin", body).await,
        "transition_id",
    )
}

async fn add_field(client: &Client, workflow: i64, body: Value) -> i64 {
    created(
        client
            .post(&format!("{W}/{workflow}/custom_fields"), "admin", body)
            .await,
        "custom_field_id",
    )
}

/// The attributes the demo's approval states give their fields.
fn read_only() -> Value {
    json!({"title":1,"reason":1,"date_start":1,"date_end":1,"participant_info.participant_name":1,
           "state.state_name":1,"workflow.workflow_name":1})
}

/// The demo leave request (workflow 1) built through the admin endpoints under `name`:
/// (workflow, submit transition, team lead's agree, HR's agree).
async fn build_leave_workflow(client: &Client, name: &str) -> (i64, i64, i64, i64) {
    let workflow = new_workflow(
        client,
        "admin",
        json!({
            "name": name, "description": "请假流程", "view_permission_check": 0,
            "display_form_str": "[\"title\",\"sn\",\"gmt_created\",\"state.state_name\",\"participant_info.participant_name\",\"workflow.workflow_name\"]",
            "title_template": "你有一个待办工单:{title}", "content_template": "标题:{title}, 创建时间:{gmt_created}"
        }),
    )
    .await;
    for (key, name, type_id, order, description) in [
        ("date_start", "开始日期", 30, 30, "请选择请假开始日期"),
        ("date_end", "截止时间", 30, 31, "请假截止时间"),
        ("reason", "请假原因", 55, 200, "请填写请假原因"),
    ] {
        add_field(
            client,
            workflow,
            json!({"field_key": key, "field_name": name, "field_type_id": type_id, "order_id": order,
                   "description": description, "default_value": ""}),
        )
        .await;
    }
    let start = add_state(
        client,
        workflow,
        json!({"name": "发起人-编辑中", "order_id": 0, "type_id": 1, "participant_type_id": 0,
               "distribute_type_id": 2, "state_field_str": {"title":2,"reason":2,"date_start":2,"date_end":2}}),
    )
    .await;
    let lead = add_state(
        client,
        workflow,
        json!({"name": "tl审批中", "order_id": 1, "type_id": 0, "participant_type_id": 5,
               "participant": "creator_tl", "distribute_type_id": 2, "state_field_str": read_only()}),
    )
    .await;
    let hr = add_state(
        client,
        workflow,
        json!({"name": "人事审批中", "order_id": 3, "type_id": 0, "participant_type_id": 3,
               "participant": "2", "distribute_type_id": 2, "state_field_str": read_only().to_string()}),
    )
    .await;
    let end = add_state(
        client,
        workflow,
        json!({"name": "结束", "order_id": 4, "type_id": 2, "participant_type_id": 0,
               "distribute_type_id": 2, "state_field_str": read_only()}),
    )
    .await;
    let transition = |name: &str, from: i64, to: i64, attribute: i64| {
        json!({"name": name, "transition_type_id": 1, "source_state_id": from, "destination_state_id": to,
               "attribute_type_id": attribute, "condition_expression": "[]"})
    };
    let submit = add_transition(client, workflow, transition("提交", start, lead, 1)).await;
    let lead_agrees = add_transition(client, workflow, transition("同意", lead, hr, 1)).await;
    add_transition(client, workflow, transition("拒绝", lead, start, 2)).await;
    let hr_agrees = add_transition(client, workflow, transition("同意", hr, end, 1)).await;
    add_transition(client, workflow, transition("拒绝", hr, start, 2)).await;
    (workflow, submit, lead_agrees, hr_agrees)
}

async fn leave_workflow_built_from_nothing_runs_a_ticket_to_its_end(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let (workflow, submit, lead_agrees, hr_agrees) = build_leave_workflow(&client, "请假流程2").await;
    let valid = client.get(&format!("{W}/{workflow}/validate"), "admin").await;
    assert_eq!(valid.data(), &json!({"valid": true, "problems": []}));

    // It is the demo's workflow under another name.
    let mut ours = client
        .get(&format!("{W}/{workflow}/export"), "admin")
        .await
        .data()
        .clone();
    let demo = client.get(&format!("{W}/1/export"), "admin").await.data().clone();
    ours["workflow"]["name"] = json!("请假流程");
    assert_eq!(ours, demo);

    // The app that created it may use it at once.
    let init = client.get(&format!("{W}/{workflow}/init_state"), "webb").await;
    assert_eq!(init.data()["name"], "发起人-编辑中");
    assert_eq!(
        init.data()["transition"],
        json!([{"transition_id": submit, "transition_name": "提交"}])
    );
    let keys: Vec<&str> = init.data()["field_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| field["field_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["title", "date_start", "date_end", "reason"]);

    let ticket = client
        .create_ticket(
            "webb",
            json!({"workflow_id": workflow, "transition_id": submit, "title": "年假", "reason": "回家",
                   "date_start": "2026-12-01 09:00:00", "date_end": "2026-12-02 18:00:00"}),
        )
        .await;
    let detail = |who: &'static str| {
        let client = &client;
        async move { client.get(&format!("/api/v1.0/tickets/{ticket}"), who).await.data()["value"].clone() }
    };
    let value = detail("admin").await;
    assert_eq!(
        (value["state_info"]["name"].clone(), value["participant"].clone()),
        (json!("tl审批中"), json!("admin"))
    );
    assert!(value["sn"].as_str().unwrap().starts_with("ops_"));
    client.handle(ticket, "admin", lead_agrees).await;
    let value = detail("hr").await;
    assert_eq!(
        (value["state_info"]["name"].clone(), value["participant"].clone()),
        (json!("人事审批中"), json!("hr"))
    );
    client.handle(ticket, "hr", hr_agrees).await;
    let value = detail("webb").await;
    assert_eq!(value["state_info"]["name"], "结束");
    assert_eq!(value["act_state_id"], 4);
    assert_eq!(value["is_end"], true);
}

/// A workflow with a text field `days`, states 新建 (start), 审批 (ops) and 结束 (end) and a
/// transition 提交 from 新建 to 审批: (workflow, [start, approval, end]).
async fn small_workflow(client: &Client, name: &str) -> (i64, [i64; 3]) {
    let workflow = new_workflow(client, "admin", json!({"name": name})).await;
    add_field(
        client,
        workflow,
        json!({"field_key": "days", "field_name": "天数", "field_type_id": 10, "order_id": 1}),
    )
    .await;
    let start = add_state(
        client,
        workflow,
        json!({"name": "新建", "type_id": 1, "participant_type_id": 0, "state_field_str": {"title": 2, "days": 2}}),
    )
    .await;
    let approval = add_state(
        client,
        workflow,
        json!({"name": "审批", "participant_type_id": 1, "participant": "ops", "distribute_type_id": 2,
               "state_field_str": {"days": 1}}),
    )
    .await;
    let end = add_state(
        client,
        workflow,
        json!({"name": "结束", "type_id": 2, "participant_type_id": 0}),
    )
    .await;
    add_transition(
        client,
        workflow,
        json!({"name": "提交", "source_state_id": start, "destination_state_id": approval}),
    )
    .await;
    add_transition(
        client,
        workflow,
        json!({"name": "同意", "source_state_id": approval, "destination_state_id": end}),
    )
    .await;
    (workflow, [start, approval, end])
}

async fn workflow_settings_are_checked_on_every_save(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    for (body, needle) in [
        (json!({"description": "no name"}), "workflow \"\": name is needed"),
        (
            json!({"name": "请假流程"}),
            "workflow \"请假流程\": workflow 1 has this name already",
        ),
        (json!({"name": "n", "notices": "99"}), "notices names no notice 99"),
        (
            json!({"name": "n", "workflow_admin": "webb,ghost"}),
            "workflow_admin names no user ghost",
        ),
        (
            json!({"name": "n", "limit_expression": {"period": 24}}),
            "limit_expression: count is need when level is not none",
        ),
        (
            json!({"name": "n", "limit_expression": {"period": 24, "count": 1, "level": 3}}),
            "level in limit_expression is invalid",
        ),
        (
            json!({"name": "n", "limit_expression": {"period": "often"}}),
            "limit_expression: period must be a number",
        ),
        (
            json!({"name": "n", "limit_expression": {"period": 1e15, "count": 1}}),
            "limit_expression: period must be at most 87840 hours",
        ),
        (
            json!({"name": "n", "limit_expression": {"perod": 1}}),
            "limit_expression has the unknown key \"perod\"",
        ),
        (
            json!({"name": "n", "limit_expression": {"allow_depts": "1,99", "allow_roles": [1, 7], "allow_persons": "ghost"}}),
            "limit_expression allow_persons names no user ghost",
        ),
        (
            json!({"name": "n", "limit_expression": {"allow_depts": "1,99"}}),
            "limit_expression allow_depts names no department 99",
        ),
        (
            json!({"name": "n", "limit_expression": {"allow_roles": [1, 7]}}),
            "limit_expression allow_roles names no role 7",
        ),
        (
            json!({"name": "n", "limit_expression": "[1]"}),
            "limit_expression: it is not a JSON object",
        ),
        (
            json!({"name": "n", "display_form_str": {"title": 1}}),
            "display_form_str must be a JSON list of field keys",
        ),
        (json!({"name": "x".repeat(101)}), "name is longer than 100 characters"),
    ] {
        client.post(W, "admin", body).await.assert_error(needle);
    }
    // Several problems are named at once.
    let both = client
        .post(
            W,
            "admin",
            json!({"name": "n", "notices": "98", "workflow_admin": "ghost"}),
        )
        .await;
    both.assert_error("notices names no notice 98");
    both.assert_error("workflow_admin names no user ghost");
    assert_eq!(client.get(W, "admin").await.data()["total"], 3, "nothing was created");

    // A valid one, then changes to it are checked the same way and only what is sent changes.
    let id = new_workflow(
        &client,
        "admin",
        json!({"name": "n", "limit_expression": {"period": 24, "count": 2, "allow_depts": [1]}, "workflow_admin": ["webb"]}),
    )
    .await;
    let path = format!("{W}/{id}");
    client
        .patch(&path, "admin", json!({"name": "vpn申请"}))
        .await
        .assert_error("workflow 2 has this name already");
    client
        .patch(&path, "admin", json!({"description": "改过"}))
        .await
        .data();
    let detail = client.get(&path, "admin").await;
    assert_eq!(detail.data()["name"], "n");
    assert_eq!(detail.data()["description"], "改过");
    assert_eq!(detail.data()["workflow_admin"], "webb");
    assert_eq!(detail.data()["view_permission_check"], true, "loonflow's default");
    assert_eq!(
        serde_json::from_str::<Value>(detail.data()["limit_expression"].as_str().unwrap()).unwrap(),
        json!({"period": 24, "count": 2, "allow_depts": [1]})
    );
    client.patch(&path, "admin", json!({"workflow_admin": ""})).await.data();
    assert_eq!(client.get(&path, "admin").await.data()["workflow_admin"], "");

    // A limit written around these checks is an error when a ticket is created, not a crash.
    server
        .db
        .execute(r#"UPDATE workflows SET limit_expression = '{"period": 1e15, "count": 1}' WHERE id = 1"#)
        .await;
    client
        .post(
            "/api/v1.0/tickets",
            "webb",
            json!({"workflow_id": 1, "transition_id": 1, "title": "t", "reason": "r"}),
        )
        .await
        .assert_error("limit_expression of workflow 1: period must be at most 87840 hours");
}

async fn state_settings_are_checked_on_every_save(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let (workflow, [_, approval, _]) = small_workflow(&client, "校验").await;
    let path = format!("{W}/{workflow}/states");
    let normal = |participant_type: i64, participant: &str| json!({"name": "新状态", "participant_type_id": participant_type, "participant": participant, "distribute_type_id": 2});
    for (body, needle) in [
        (json!({"participant_type_id": 0}), "state \"\": name is needed"),
        (
            json!({"name": "审批", "participant_type_id": 0}),
            "state \"审批\": another state of the workflow has this name",
        ),
        (
            json!({"name": "s", "type_id": 5, "participant_type_id": 0}),
            "type_id must be 0 (normal), 1 (start) or 2 (end), got 5",
        ),
        (
            json!({"name": "s", "participant_type_id": 0, "distribute_type_id": 0}),
            "distribute_type_id must be 1 (accept first), 2 (direct), 3 (random) or 4 (all), got 0",
        ),
        (normal(9, "x"), "participant_type_id must be 0 to 8 or 10, got 9"),
        (
            normal(1, ""),
            "participant is empty, but participant_type_id 1 needs one",
        ),
        (
            normal(2, "ops,ghost"),
            "state \"新状态\": participant names no user ghost",
        ),
        (normal(3, "2,99"), "participant names no department 99"),
        (normal(3, "hr"), "participant names no department hr"),
        (normal(4, "99"), "participant names no role 99"),
        (normal(4, "1,2"), "participant of type 4 (role) must be one role id"),
        (normal(5, "creator,boss"), "participant \"boss\" is no variable"),
        (normal(6, "bad plugin!"), "names no plugin"),
        (
            normal(6, "absent-resolver"),
            "plugin absent-resolver is not registered or not enabled",
        ),
        (
            normal(7, "days,leader"),
            "participant names leader, which is no field of the workflow",
        ),
        (normal(8, "a b"), "participant \"a b\" is no field key"),
        (normal(10, "not json"), "a hook participant must be a JSON object"),
        (
            normal(10, r#"{"hook_url":"ftp://h/x","hook_token":"t"}"#),
            "needs a hook_url starting with http:// or https://",
        ),
        (normal(10, r#"{"hook_url":"http://h/x"}"#), "needs a string hook_token"),
        (
            normal(10, r#"{"hook_url":"http://h/x","hook_token":"t","wait":"yes"}"#),
            "wait of the hook participant must be true or false",
        ),
        (
            json!({"name": "s", "participant_type_id": 0, "state_field_str": {"days": 2, "nofield": 2}}),
            "state_field_str names nofield, which is no field of the workflow",
        ),
        (
            json!({"name": "s", "participant_type_id": 0, "state_field_str": {"title": 7}}),
            "state_field_str gives title the attribute 7",
        ),
        (
            json!({"name": "s", "participant_type_id": 0, "state_field_str": "[\"title\"]"}),
            "state_field_str must be a JSON object",
        ),
        (
            json!({"name": "s", "participant_type_id": 0, "label": [1]}),
            "label must be a JSON object",
        ),
        (
            json!({"name": "s", "participant_type_id": 0, "sub_workflow_id": 999}),
            "sub_workflow_id 999 is no workflow",
        ),
    ] {
        client.post(&path, "admin", body).await.assert_error(needle);
    }
    let states = client.get(&path, "admin").await;
    assert_eq!(states.data()["total"], 3, "nothing was saved");

    // Every participant type in a form it takes; a plugin must be registered.
    let registered = client
        .send_bytes(
            reqwest::Method::POST,
            "/api/v1.0/plugins?name=team-lead_resolver&kind=participant-resolver&version=1.2.0",
            "admin",
            crate::support::plugins::wasm("dept-leader"),
        )
        .await;
    assert_eq!(registered.code(), 0, "{:?}", registered.body);
    for (participant_type, participant) in [
        (0, ""),
        (1, "ops"),
        (1, "loonrobot"),
        (2, "ops,ops2"),
        (3, "2,7"),
        (4, "1"),
        (5, "creator,creator_tl"),
        (6, "team-lead_resolver@1.2.0"),
        (7, "days"),
        (8, "leader"),
        (
            10,
            r#"{"hook_url":"https://h/x","hook_token":"t","wait":true,"extra_info":{"a":[1]}}"#,
        ),
    ] {
        let body = json!({"participant_type_id": participant_type, "participant": participant});
        let answer = client.patch(&format!("{path}/{approval}"), "admin", body).await;
        assert_eq!(
            answer.code(),
            0,
            "type {participant_type} {participant}: {:?}",
            answer.body
        );
    }
    // A hook sent back with its token masked keeps the stored token.
    let shown = client.get(&format!("{path}/{approval}"), "admin").await;
    let participant = shown.data()["participant"].as_str().unwrap().to_string();
    assert!(participant.contains(r#""hook_token":"***""#), "{participant}");
    client
        .patch(
            &format!("{path}/{approval}"),
            "admin",
            json!({"name": "审批2", "participant": participant}),
        )
        .await
        .data();
    let stored = server
        .db
        .text(&format!("SELECT participant FROM states WHERE id = {approval}"))
        .await;
    assert!(stored.contains(r#""hook_token":"t""#), "{stored}");
    // The start and end states may leave their participants empty.
    let start = client.get(&format!("{path}?search_value=新建"), "admin").await;
    assert_eq!(start.data()["value"][0]["participant"], "");
}

async fn transition_and_field_settings_are_checked_on_every_save(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let (workflow, [start, approval, end]) = small_workflow(&client, "校验").await;
    let path = format!("{W}/{workflow}/transitions");
    let from_approval = |extra: Value| {
        let mut body = json!({"name": "转", "source_state_id": approval, "destination_state_id": end});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    for (body, needle) in [
        (
            from_approval(json!({"name": ""})),
            "transition \"\" of state \"审批\": name is needed",
        ),
        (
            from_approval(json!({"name": "同意"})),
            "transition \"同意\" of state \"审批\": another transition of this state has this name",
        ),
        (
            from_approval(json!({"source_state_id": 2})),
            "source_state_id 2 is no state of this workflow",
        ),
        (
            from_approval(json!({"destination_state_id": 4})),
            "destination_state_id 4 is no state of this workflow",
        ),
        (
            from_approval(json!({"transition_type_id": 3})),
            "transition_type_id must be 1 (normal) or 2 (timer), got 3",
        ),
        (
            from_approval(json!({"transition_type_id": 2})),
            "timer must be a positive number of seconds for a timer transition",
        ),
        (from_approval(json!({"timer": -5})), "got -5"),
        (
            from_approval(json!({"transition_type_id": 2, "timer": 9_000_000_000_000_000_i64})),
            "at most 316224000, got 9000000000000000",
        ),
        (
            from_approval(json!({"attribute_type_id": 9})),
            "attribute_type_id must be 1 (agree), 2 (reject) or 3 (other), got 9",
        ),
        (
            from_approval(json!({"destination_state_id": 0})),
            "it needs a destination_state_id or a condition_expression",
        ),
        (
            from_approval(json!({"condition_expression": "{days} >"})),
            "condition_expression: it must be a JSON list",
        ),
        (
            from_approval(json!({"condition_expression": [{"expression": "{days} >", "target_state_id": end}]})),
            "condition_expression: entry 0 `{days} >` is invalid at position",
        ),
        (
            from_approval(
                json!({"condition_expression": [{"expression": "__import__('os')", "target_state_id": end}]}),
            ),
            "condition_expression: entry 0",
        ),
        (
            from_approval(json!({"condition_expression": [{"expression": "{hours} > 3", "target_state_id": end}]})),
            "condition `{hours} > 3` reads no field hours",
        ),
        (
            from_approval(json!({"condition_expression": [{"expression": "{days} > 3", "target_state_id": 1}]})),
            "condition `{days} > 3` leads to state 1, which is no state of this workflow",
        ),
    ] {
        client.post(&path, "admin", body).await.assert_error(needle);
    }
    assert_eq!(client.get(&path, "admin").await.data()["total"], 2, "nothing was saved");
    // Conditions over fields and ticket columns, a timer, and conditions alone are fine.
    add_transition(
        &client,
        workflow,
        from_approval(json!({"name": "长假", "destination_state_id": 0,
            "condition_expression": [{"expression": "{days} > 3 and {creator} != 'admin'", "target_state_id": start}]})),
    )
    .await;
    add_transition(
        &client,
        workflow,
        from_approval(json!({"name": "超时", "transition_type_id": 2, "timer": 3600})),
    )
    .await;

    let fields = format!("{W}/{workflow}/custom_fields");
    let field = |extra: Value| {
        let mut body = json!({"field_key": "leader", "field_name": "负责人", "field_type_id": 60, "order_id": 5});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    for (body, needle) in [
        (field(json!({"field_key": ""})), "field_key is needed"),
        (
            field(json!({"field_key": "a b"})),
            "field \"a b\": field_key is needed and holds only letters",
        ),
        (
            field(json!({"field_key": "title"})),
            "field_key is the name of a built-in ticket field",
        ),
        (
            field(json!({"field_key": "creator"})),
            "field_key is the name of a built-in ticket field",
        ),
        (
            field(json!({"field_key": "days"})),
            "another field of the workflow has this field_key",
        ),
        (field(json!({"field_name": ""})), "field_name is needed"),
        (
            field(json!({"field_type_id": 99})),
            "field_type_id must be one of 5, 10, 15",
        ),
        (
            field(json!({"field_choice": "[1]"})),
            "field_choice must be a JSON object",
        ),
        (
            field(json!({"boolean_field_display": "yes"})),
            "boolean_field_display must be a JSON object",
        ),
        (field(json!({"label": 3})), "label must be a JSON object"),
    ] {
        client.post(&fields, "admin", body).await.assert_error(needle);
    }
    let created = add_field(
        &client,
        workflow,
        field(json!({"field_choice": {"1": "是"}, "label": {"x": 1}})),
    )
    .await;
    let answer = client.get(&format!("{fields}/{created}"), "admin").await;
    assert_eq!(answer.data()["field_choice"], json!({"1": "是"}));
    assert_eq!(answer.data()["label"], json!({"x": 1}));
    assert_eq!(client.get(&fields, "admin").await.data()["total"], 2);
}

async fn parts_in_use_cannot_be_deleted_or_changed_under_their_users(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let (workflow, [start, approval, end]) = small_workflow(&client, "占用").await;
    let states = format!("{W}/{workflow}/states");
    let fields = format!("{W}/{workflow}/custom_fields");
    client
        .delete(&format!("{states}/{approval}"), "admin")
        .await
        .assert_error("state \"审批\" is still used by transition \"提交\", transition \"同意\"");
    let field_id = client.get(&fields, "admin").await.data()["value"][0]["id"]
        .as_i64()
        .unwrap();
    client
        .delete(&format!("{fields}/{field_id}"), "admin")
        .await
        .assert_error("field \"days\" is still used by state \"新建\", state \"审批\"");
    client
        .patch(&format!("{fields}/{field_id}"), "admin", json!({"field_key": "dayz"}))
        .await
        .assert_error("field \"days\" is still used by");

    // Tickets hold values of the field and sit in the approval state.
    let submit =
        client.get(&format!("{W}/{workflow}/init_state"), "webb").await.data()["transition"][0]["transition_id"]
            .as_i64()
            .unwrap();
    let ticket = client
        .create_ticket(
            "webb",
            json!({"workflow_id": workflow, "transition_id": submit, "title": "t", "days": 3}),
        )
        .await;
    let transitions = client.get(&format!("{W}/{workflow}/transitions"), "admin").await;
    for transition in transitions.data()["value"].as_array().unwrap() {
        let id = transition["id"].as_i64().unwrap();
        client
            .delete(&format!("{W}/{workflow}/transitions/{id}"), "admin")
            .await
            .data();
    }
    client
        .delete(&format!("{states}/{approval}"), "admin")
        .await
        .assert_error(&format!("state \"审批\" is still used by tickets {ticket}"));
    for state in [start, approval] {
        client
            .patch(&format!("{states}/{state}"), "admin", json!({"state_field_str": {}}))
            .await
            .data();
    }
    client
        .delete(&format!("{fields}/{field_id}"), "admin")
        .await
        .assert_error(&format!("field \"days\" is still used by tickets {ticket}"));
    client
        .patch(&format!("{fields}/{field_id}"), "admin", json!({"field_type_id": 5}))
        .await
        .assert_error(&format!("tickets {ticket}"));
    // Unused parts go, and what is gone is gone.
    client.delete(&format!("{states}/{end}"), "admin").await.data();
    client
        .delete(&format!("{states}/{end}"), "admin")
        .await
        .assert_error(&format!("state {end} is not existed or has been deleted"));
    client
        .patch(&format!("{fields}/{field_id}"), "admin", json!({"field_name": "日数"}))
        .await
        .data();
    client
        .delete(&format!("/api/v1.0/tickets/{ticket}"), "admin")
        .await
        .data();
    client.delete(&format!("{states}/{approval}"), "admin").await.data();
    let deleted = client.delete(&format!("{fields}/{field_id}"), "admin").await;
    assert_eq!(deleted.data(), &json!({"value": {"custom_field_id": ""}}));
    // Demo states stay in use by the demo's transitions.
    client
        .delete(&format!("{W}/1/states/2"), "admin")
        .await
        .assert_error("state \"tl审批中\" is still used by transition \"提交\"");
}

async fn validate_reports_the_whole_workflow(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let empty = new_workflow(&client, "admin", json!({"name": "空"})).await;
    let problems = client.get(&format!("{W}/{empty}/validate"), "admin").await;
    assert_eq!(
        problems.data(),
        &json!({"valid": false, "problems": [
            "workflow \"空\": it has no start state (type_id 1)",
            "workflow \"空\": it has no end state (type_id 2)"
        ]})
    );
    let (workflow, _) = small_workflow(&client, "两个开始").await;
    add_state(
        &client,
        workflow,
        json!({"name": "又一个开始", "type_id": 1, "participant_type_id": 0}),
    )
    .await;
    let problems = client.get(&format!("{W}/{workflow}/validate"), "admin").await;
    assert_eq!(
        problems.data()["problems"],
        json!(["workflow \"两个开始\": it has 2 start states (新建, 又一个开始); it needs exactly one"])
    );
    // Problems a part got later, such as a user who left, are listed too.
    server
        .db
        .execute("UPDATE users SET is_deleted = 1 WHERE username = 'ops'")
        .await;
    let problems = client.get(&format!("{W}/{workflow}/validate"), "admin").await;
    assert_eq!(problems.data()["valid"], false);
    assert!(
        problems.data()["problems"][0]
            .as_str()
            .unwrap()
            .contains("state \"审批\": participant names no user ops"),
        "{}",
        problems.data()
    );
    client
        .get(&format!("{W}/999/validate"), "admin")
        .await
        .assert_error("workflow 999 is not existed or has been deleted");
}

async fn rights_of_super_admin_workflow_admin_and_ordinary_user(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    // lilian (user 6) becomes a workflow admin; webb stays an ordinary user.
    client
        .patch(
            "/api/v1.0/accounts/users/6",
            "admin",
            json!({"is_workflow_admin": true}),
        )
        .await
        .data();

    // An ordinary user may neither create nor manage workflows, nor touch accounts.
    client
        .post(W, "webb", json!({"name": "webb's"}))
        .await
        .assert_error("has no permission: webb is neither a super admin (is_admin) nor a workflow admin");
    for path in [
        "/1",
        "/1/transitions",
        "/1/custom_fields",
        "/1/export",
        "/1/validate",
        "/1/graph",
    ] {
        client
            .get(&format!("{W}{path}"), "webb")
            .await
            .assert_error("has no permission: webb may not manage workflow 1");
    }
    client
        .patch(&format!("{W}/1"), "webb", json!({"description": "x"}))
        .await
        .assert_error("webb may not manage workflow 1");
    client
        .post(
            &format!("{W}/1/states"),
            "webb",
            json!({"name": "x", "participant_type_id": 0}),
        )
        .await
        .assert_error("webb may not manage workflow 1");
    assert_eq!(client.get(&format!("{W}/user_admin"), "webb").await.data(), &json!([]));
    client
        .get("/api/v1.0/accounts/users", "webb")
        .await
        .assert_error("webb is neither a super admin (is_admin) nor a workflow admin (is_workflow_admin), which reading the users needs");

    // A workflow admin creates workflows, manages their own, and reads the users.
    let own = new_workflow(&client, "lilian", json!({"name": "lilian的流程"})).await;
    assert_eq!(
        client.get(&format!("{W}/{own}"), "lilian").await.data()["creator"],
        "lilian"
    );
    add_state(
        &client,
        own,
        json!({"name": "开始", "type_id": 1, "participant_type_id": 0}),
    )
    .await;
    client
        .get(&format!("{W}/1"), "lilian")
        .await
        .assert_error("lilian may not manage workflow 1");
    client
        .delete(&format!("{W}/1"), "lilian")
        .await
        .assert_error("lilian may not manage workflow 1");
    assert_eq!(
        client.get("/api/v1.0/accounts/users", "lilian").await.data()["total"],
        10
    );
    client
        .post("/api/v1.0/accounts/users", "lilian", json!({"username": "x"}))
        .await
        .assert_error("lilian is not a super admin (is_admin), which managing users, roles and departments needs");
    client
        .get("/api/v1.0/workflows/custom_notices", "lilian")
        .await
        .assert_error("lilian is not a super admin");
    let managed = client.get(&format!("{W}/user_admin"), "lilian").await;
    let ids: Vec<i64> = managed
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [own]);

    // Listed as an admin of lilian's workflow, webb may manage it, and only it.
    client
        .patch(&format!("{W}/{own}"), "lilian", json!({"workflow_admin": "webb"}))
        .await
        .data();
    client
        .patch(&format!("{W}/{own}"), "webb", json!({"description": "webb was here"}))
        .await
        .data();
    assert_eq!(
        client.get(&format!("{W}/{own}/validate"), "webb").await.data()["valid"],
        false
    );
    client
        .get(&format!("{W}/1"), "webb")
        .await
        .assert_error("webb may not manage workflow 1");
    let managed = client.get(&format!("{W}/user_admin"), "webb").await;
    assert_eq!(managed.data()[0]["id"], own);
    client
        .post(W, "webb", json!({"name": "still not"}))
        .await
        .assert_error("webb is neither");

    // The super admin manages everything.
    assert_eq!(
        client.get(&format!("{W}/{own}"), "admin").await.data()["description"],
        "webb was here"
    );
    assert_eq!(
        client
            .get(&format!("{W}/user_admin"), "admin")
            .await
            .data()
            .as_array()
            .unwrap()
            .len(),
        4
    );
    client.delete(&format!("{W}/{own}"), "admin").await.data();
    client
        .get(&format!("{W}/{own}"), "lilian")
        .await
        .assert_error(&format!("workflow {own} is not existed or has been deleted"));

    // The acting user must exist.
    client
        .get(&format!("{W}/1"), "ghost")
        .await
        .assert_error("username: ghost is not existed or has been deleted");
    let headers = client.signed_headers(None);
    client
        .send(Method::GET, &format!("{W}/1"), headers, None)
        .await
        .assert_error("请提供username");
}

async fn an_app_manages_only_its_workflows_and_gets_those_it_creates(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let token = client
        .post(
            "/api/v1.0/accounts/app_token",
            "admin",
            json!({"app_name": "hrapp", "workflow_ids": "2", "ticket_sn_prefix": "hr"}),
        )
        .await
        .data()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let hrapp = server.client_for("hrapp", &token);
    hrapp
        .get(&format!("{W}/1"), "admin")
        .await
        .assert_error("APP:hrapp have no permission to manage workflow 1: its app token does not list it");
    assert_eq!(hrapp.get(&format!("{W}/2"), "admin").await.data()["name"], "vpn申请");
    let ids = |answer: &crate::support::Answer| -> Vec<i64> {
        answer
            .data()
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&hrapp.get(&format!("{W}/user_admin"), "admin").await), [2]);

    let created = new_workflow(&hrapp, "admin", json!({"name": "人事流程"})).await;
    assert_eq!(
        hrapp.get(&format!("{W}/{created}"), "admin").await.data()["name"],
        "人事流程"
    );
    let listed = hrapp.get(W, "admin").await;
    let names: Vec<&str> = listed.data()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["vpn申请", "人事流程"]);
    let token_row = client
        .get("/api/v1.0/accounts/app_token?search_value=hrapp", "admin")
        .await;
    assert_eq!(token_row.data()["value"][0]["workflow_ids"], format!("2,{created}"));
    // The demo app was not given it.
    client
        .get(&format!("{W}/{created}"), "admin")
        .await
        .assert_error("APP:ops have no permission to manage workflow");
}

async fn lists_and_details_have_loonflow_shapes(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let detail = client.get(&format!("{W}/1"), "admin").await;
    assert_eq!(
        keys(detail.data()),
        [
            "id",
            "name",
            "description",
            "notices",
            "view_permission_check",
            "limit_expression",
            "display_form_str",
            "creator",
            "gmt_created",
            "title_template",
            "content_template",
            "workflow_admin"
        ]
    );
    let managed = client.get(&format!("{W}/user_admin"), "admin").await;
    let first = &managed.data()[0];
    assert_eq!(
        keys(first),
        [
            "id",
            "creator",
            "gmt_created",
            "gmt_modified",
            "is_deleted",
            "name",
            "description",
            "notices",
            "view_permission_check",
            "limit_expression",
            "display_form_str",
            "title_template",
            "content_template"
        ]
    );
    assert_eq!(managed.data().as_array().unwrap().len(), 3);

    let transitions = client
        .get(&format!("{W}/1/transitions?per_page=2&page=2"), "admin")
        .await;
    let data = transitions.data();
    assert_eq!((data["total"].clone(), data["page"].clone()), (json!(5), json!(2)));
    let third = &data["value"][0];
    assert_eq!(third["id"], 3);
    assert_eq!(third["name"], "拒绝");
    assert_eq!(third["condition_expression"], "[]");
    assert_eq!(third["field_require_check"], false);
    assert_eq!(third["source_state_info"], json!({"name": "tl审批中", "id": 2}));
    assert_eq!(
        third["destination_state_info"],
        json!({"name": "发起人-编辑中", "id": 1})
    );
    let searched = client
        .get(&format!("{W}/1/transitions?search_value=同意"), "admin")
        .await;
    assert_eq!(searched.data()["total"], 2);
    let one = client.get(&format!("{W}/1/transitions/4"), "admin").await;
    assert_eq!(one.data()["destination_state_info"]["name"], "结束");
    client
        .get(&format!("{W}/1/transitions/6"), "admin")
        .await
        .assert_error("transition 6 is not existed or has been deleted in this workflow");

    // A transition decided by conditions alone names no destination state.
    let (workflow, [start, approval, _]) = small_workflow(&client, "条件").await;
    let conditional = add_transition(
        &client,
        workflow,
        json!({"name": "分流", "source_state_id": approval, "condition_expression": [{"expression": "{days} > 1", "target_state_id": start}]}),
    )
    .await;
    let shown = client
        .get(&format!("{W}/{workflow}/transitions/{conditional}"), "admin")
        .await;
    assert_eq!(
        shown.data()["destination_state_info"],
        json!({"name": "见条件表达式", "id": 0})
    );

    let fields = client.get(&format!("{W}/1/custom_fields"), "admin").await;
    assert_eq!(fields.data()["total"], 3);
    let first = &fields.data()["value"][0];
    assert_eq!(
        keys(first),
        [
            "id",
            "creator",
            "gmt_created",
            "gmt_modified",
            "is_deleted",
            "workflow_id",
            "field_type_id",
            "field_key",
            "field_name",
            "order_id",
            "default_value",
            "description",
            "field_template",
            "boolean_field_display",
            "field_choice",
            "label"
        ]
    );
    assert_eq!(first["field_key"], "date_start");
    assert_eq!(first["field_choice"], json!({}));
    let searched = client
        .get(&format!("{W}/1/custom_fields?search_value=原因"), "admin")
        .await;
    assert_eq!(searched.data()["value"][0]["field_key"], "reason");

    let state = client.get(&format!("{W}/2/states/7"), "admin").await;
    assert_eq!(state.data()["name"], "vpn授权中");
    assert!(
        state.data()["participant"]
            .as_str()
            .unwrap()
            .contains(r#""hook_token":"***""#)
    );
    client
        .get(&format!("{W}/1/states/7"), "admin")
        .await
        .assert_error("state 7 is not existed or has been deleted in this workflow");
}

async fn notices_are_managed_by_super_admins_and_named_by_workflows(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let path = "/api/v1.0/workflows/custom_notices";
    let notice = json!({"name": "企业微信", "hook_url": "https://hooks.example/notice", "hook_token": "s3cret", "description": "推送"});
    let id = client.post(path, "admin", notice.clone()).await.data()["notice_id"]
        .as_i64()
        .unwrap();
    for (body, needle) in [
        (notice.clone(), "another notice has this name"),
        (
            json!({"name": "b", "hook_url": "hooks.example", "hook_token": "t"}),
            "hook_url is needed and must start with http",
        ),
        (json!({"name": "b", "hook_url": "http://h"}), "hook_token is needed"),
        (json!({"hook_url": "http://h", "hook_token": "t"}), "name is needed"),
        (
            json!({"name": "b", "hook_url": "http://h", "hook_token": "t", "extra": 1}),
            "Wrong key 'extra'",
        ),
    ] {
        client.post(path, "admin", body).await.assert_error(needle);
    }
    client
        .post(path, "webb", json!({}))
        .await
        .assert_error("webb is not a super admin");
    let listed = client.get(path, "admin").await;
    assert_eq!(listed.data()["total"], 1);
    let item = &listed.data()["value"][0];
    assert_eq!(item["name"], "企业微信");
    assert_eq!(item["hook_token"], "***", "tokens are never shown");
    assert_eq!(
        client.get(&format!("{path}?search_value=推送"), "admin").await.data()["total"],
        1
    );
    assert_eq!(
        client.get(&format!("{path}?search_value=none"), "admin").await.data()["total"],
        0
    );

    // Sending the masked token back keeps the stored one.
    client
        .patch(
            &format!("{path}/{id}"),
            "admin",
            json!({"hook_token": "***", "description": "新"}),
        )
        .await
        .data();
    let token = server
        .db
        .text(&format!("SELECT hook_token FROM custom_notices WHERE id = {id}"))
        .await;
    assert_eq!(token, "s3cret");
    assert_eq!(
        client.get(&format!("{path}/{id}"), "admin").await.data()["description"],
        "新"
    );

    // Workflows name notices by id; a named notice cannot go.
    client
        .patch(&format!("{W}/1"), "admin", json!({"notices": id.to_string()}))
        .await
        .data();
    client
        .delete(&format!("{path}/{id}"), "admin")
        .await
        .assert_error("notice \"企业微信\" is still used by workflow \"请假流程\"");
    client
        .patch(&format!("{W}/1"), "admin", json!({"notices": ""}))
        .await
        .data();
    client.delete(&format!("{path}/{id}"), "admin").await.data();
    client
        .delete(&format!("{path}/{id}"), "admin")
        .await
        .assert_error("the record is not exist or has been deleted");
}

async fn graph_of_the_demo_leave_workflow_in_both_formats(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let mermaid = client.get(&format!("{W}/1/graph"), "admin").await;
    assert_eq!(mermaid.data()["format"], "mermaid");
    assert_eq!(
        mermaid.data()["graph"],
        "flowchart TD\n\
         \x20   s1([\"发起人-编辑中\"])\n\
         \x20   s2[\"tl审批中\"]\n\
         \x20   s3[\"人事审批中\"]\n\
         \x20   s4(((\"结束\")))\n\
         \x20   s1 -->|\"提交\"| s2\n\
         \x20   s2 -->|\"同意\"| s3\n\
         \x20   s2 -->|\"拒绝\"| s1\n\
         \x20   s3 -->|\"同意\"| s4\n\
         \x20   s3 -->|\"拒绝\"| s1\n"
    );
    assert_eq!(
        client.get(&format!("{W}/1/graph?format=mermaid"), "admin").await.data(),
        mermaid.data()
    );
    let dot = client.get(&format!("{W}/1/graph?format=dot"), "admin").await;
    assert_eq!(dot.data()["format"], "dot");
    assert_eq!(
        dot.data()["graph"],
        "digraph workflow {\n\
         \x20   rankdir=TB;\n\
         \x20   node [shape=box];\n\
         \x20   s1 [label=\"发起人-编辑中\", shape=oval];\n\
         \x20   s2 [label=\"tl审批中\"];\n\
         \x20   s3 [label=\"人事审批中\"];\n\
         \x20   s4 [label=\"结束\", shape=doublecircle];\n\
         \x20   s1 -> s2 [label=\"提交\"];\n\
         \x20   s2 -> s3 [label=\"同意\"];\n\
         \x20   s2 -> s1 [label=\"拒绝\"];\n\
         \x20   s3 -> s4 [label=\"同意\"];\n\
         \x20   s3 -> s1 [label=\"拒绝\"];\n\
         }\n"
    );
    client
        .get(&format!("{W}/1/graph?format=png"), "admin")
        .await
        .assert_error("format must be mermaid or dot, got \"png\"");
}

async fn graph_marks_hidden_states_timers_and_conditions(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    // The manual's example (workflow 3) has a hidden draft state, 11.
    let graph = client.get(&format!("{W}/3/graph"), "admin").await.data()["graph"].clone();
    let graph = graph.as_str().unwrap();
    assert!(graph.contains("    s11[\"发起人-编辑中\"]\n"), "{graph}");
    assert!(
        graph.ends_with("    classDef hidden stroke-dasharray: 5 5\n    class s11 hidden\n"),
        "{graph}"
    );
    let dot = client.get(&format!("{W}/3/graph?format=dot"), "admin").await.data()["graph"].clone();
    assert!(
        dot.as_str()
            .unwrap()
            .contains("s11 [label=\"发起人-编辑中\", style=dashed];"),
        "{dot}"
    );

    let (workflow, [start, approval, end]) = small_workflow(&client, "图").await;
    add_transition(
        &client,
        workflow,
        json!({"name": "超时", "source_state_id": approval, "destination_state_id": end, "transition_type_id": 2, "timer": 60}),
    )
    .await;
    add_transition(
        &client,
        workflow,
        json!({"name": "分流", "source_state_id": approval, "destination_state_id": end,
               "condition_expression": [{"expression": "{days} > 3 and {title} == \"x\"", "target_state_id": start}]}),
    )
    .await;
    let mermaid = client.get(&format!("{W}/{workflow}/graph"), "admin").await.data()["graph"].clone();
    let mermaid = mermaid.as_str().unwrap();
    assert!(
        mermaid.contains(&format!("s{approval} -.->|\"超时 ⏱ 60s\"| s{end}")),
        "{mermaid}"
    );
    assert!(
        mermaid.contains(&format!(
            "s{approval} -->|\"分流 [{{days}} #gt; 3 and {{title}} == #quot;x#quot;]\"| s{start}"
        )),
        "{mermaid}"
    );
    assert!(
        mermaid.contains(&format!("s{approval} -->|\"分流 [otherwise]\"| s{end}")),
        "{mermaid}"
    );
    let dot = client
        .get(&format!("{W}/{workflow}/graph?format=dot"), "admin")
        .await
        .data()["graph"]
        .clone();
    let dot = dot.as_str().unwrap();
    assert!(
        dot.contains(&format!("s{approval} -> s{end} [label=\"超时 ⏱ 60s\", style=dashed];")),
        "{dot}"
    );
    assert!(
        dot.contains(&format!(
            "s{approval} -> s{start} [label=\"分流 [{{days}} > 3 and {{title}} == \\\"x\\\"]\"];"
        )),
        "{dot}"
    );
}

async fn bad_input_is_refused_in_the_envelope_and_changes_nothing(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let headers = || client.signed_headers(Some("admin"));
    for (method, path) in [
        (Method::POST, W.to_string()),
        (Method::PATCH, format!("{W}/1")),
        (Method::POST, format!("{W}/1/states")),
        (Method::PATCH, format!("{W}/1/states/1")),
        (Method::POST, format!("{W}/1/transitions")),
        (Method::PATCH, format!("{W}/1/transitions/1")),
        (Method::POST, format!("{W}/1/custom_fields")),
        (Method::PATCH, format!("{W}/1/custom_fields/1")),
        (Method::POST, format!("{W}/custom_notices")),
        (Method::POST, format!("{W}/import")),
        (Method::POST, "/api/v1.0/accounts/users".to_string()),
        (Method::PATCH, "/api/v1.0/accounts/users/2".to_string()),
        (Method::POST, "/api/v1.0/accounts/roles".to_string()),
        (Method::POST, "/api/v1.0/accounts/roles/1/users".to_string()),
        (Method::POST, "/api/v1.0/accounts/depts".to_string()),
        (Method::PATCH, "/api/v1.0/accounts/depts/1".to_string()),
        (Method::POST, "/api/v1.0/accounts/app_token".to_string()),
        (Method::POST, "/api/v1.0/accounts/sync".to_string()),
    ] {
        for body in ["", "{", "[1, 2]", "\"text\"", "{\"unknown_key\": 1}"] {
            let answer = client.send_raw(method.clone(), &path, headers(), body).await;
            assert_eq!(answer.status, 200, "{method} {path} {body:?}: {:?}", answer.body);
            assert_eq!(answer.code(), -1, "{method} {path} {body:?}: {:?}", answer.body);
            assert!(!answer.msg().is_empty());
        }
    }
    for (path, body, needle) in [
        (
            format!("{W}/1/states"),
            json!({"name": "s", "order_id": "first"}),
            "order_id must be an integer",
        ),
        (
            format!("{W}/1/states"),
            json!({"name": "s", "is_hidden": "yes"}),
            "is_hidden must be true, false, 1 or 0",
        ),
        (format!("{W}/1/states"), json!({"name": 5}), "name must be a string"),
        (
            format!("{W}/1/transitions"),
            json!({"name": "t", "timer": 1.5}),
            "timer must be an integer",
        ),
        (
            W.to_string(),
            json!({"name": "n", "notices": {"a": 1}}),
            "notices must be a comma-separated string or a list",
        ),
        (W.to_string(), json!({"name": "n", "flow": 1}), "Wrong key 'flow'"),
    ] {
        client.post(&path, "admin", body).await.assert_error(needle);
    }
    for path in [
        format!("{W}/abc"),
        format!("{W}/1/states/x"),
        "/api/v1.0/accounts/users/-1".to_string(),
    ] {
        let answer = client.get(&path, "admin").await;
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.code(), -1);
    }
    let answer = client
        .send(Method::PUT, &format!("{W}/1"), headers(), Some(json!({})))
        .await;
    assert_eq!(answer.status, 405);
    // Nothing of it was written.
    let export = client.get(&format!("{W}/1/export"), "admin").await.data().clone();
    let restarted = Server::start(backend).await;
    assert_eq!(
        restarted.client().get(&format!("{W}/1/export"), "admin").await.data(),
        &export
    );
    assert_eq!(client.get(W, "admin").await.data()["total"], 3);
    assert_eq!(
        client.get("/api/v1.0/accounts/users", "admin").await.data()["total"],
        10
    );
}
