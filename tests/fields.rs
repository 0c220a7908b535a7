//! Field values as callers send and read them (spec 3.6, 3.7, 6.10 with B17), editing a ticket
//! outside its flow (`/fields`, S5; comments, 8.16 with S6 and B28), creation limits (6.14 with
//! B5) and length limits.

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::support::fixtures::{Flow, Handlers};
use crate::support::{Answer, Backend, Client, Server, on_both_backends};

on_both_backends!(
    every_field_type_round_trips_through_detail_and_snapshot,
    wrong_types_name_the_field_and_change_nothing,
    required_fields_are_checked_only_when_the_transition_asks,
    handles_write_only_writable_fields_and_null_clears,
    patch_fields_writes_custom_fields_and_title_with_a_log,
    patch_fields_refuses_other_keys_and_changes_nothing,
    comments_add_a_log_and_change_nothing_else,
    rate_limits_count_per_creator_or_for_everyone,
    rate_limits_hold_under_concurrent_creations,
    allow_lists_limit_who_may_create,
    over_long_values_are_refused,
);

/// The fixture workflow: every field type, writable at the start state and in review.
const WF: i64 = 100;
const START: i64 = 1000;
const REVIEW: i64 = 1001;
const END: i64 = 1002;
/// start → review without and with the required-field check.
const SUBMIT: i64 = 1000;
const SUBMIT_CHECKED: i64 = 1001;
/// review → review without and with the required-field check.
const SAVE: i64 = 1002;
const SAVE_CHECKED: i64 = 1003;
/// review → end.
const FINISH: i64 = 1004;

/// `(id, key, field_type_id)`: one custom field per type of spec 3.7, in order_id order.
const FIELDS: [(i64, &str, i64); 14] = [
    (1000, "name", 5),
    (1001, "amount", 10),
    (1002, "price", 15),
    (1003, "urgent", 20),
    (1004, "day", 25),
    (1005, "moment", 30),
    (1006, "color", 35),
    (1007, "options", 40),
    (1008, "region", 45),
    (1009, "tags", 50),
    (1010, "notes", 55),
    (1011, "owner", 60),
    (1012, "watchers", 70),
    (1013, "files", 80),
];

fn custom_keys() -> Vec<&'static str> {
    FIELDS.iter().map(|(_, key, _)| *key).collect()
}

/// A `state_field_str`: the listed attributes, then every other custom field with `rest`.
fn field_str(listed: &[(&str, i64)], rest: i64) -> String {
    let mut map = Map::new();
    for (key, attribute) in listed {
        map.insert(key.to_string(), json!(attribute));
    }
    for key in custom_keys() {
        if !map.contains_key(key) {
            map.insert(key.to_string(), json!(rest));
        }
    }
    Value::Object(map).to_string()
}

/// Installs workflow 100: the start state requires title, name and amount and takes the rest
/// optionally; the review state (the creator handles it) shows sn and the state name read-only,
/// requires name and takes every other field optionally.
async fn install_fixture(server: &Server) {
    let start_fields = field_str(&[("title", 2), ("name", 2), ("amount", 2)], 3);
    let review_fields = field_str(&[("sn", 1), ("title", 3), ("state.state_name", 1), ("name", 2)], 3);
    let mut flow = Flow::new(WF, "字段全集")
        .state(START, "新建", 1, Handlers(0, "", 2), &start_fields)
        .state(REVIEW, "复核", 0, Handlers(5, "creator", 1), &review_fields)
        .state(END, "结束", 2, Handlers(0, "", 2), "{}")
        .transition(SUBMIT, "提交", START, REVIEW, 1)
        .transition(SUBMIT_CHECKED, "检查后提交", START, REVIEW, 1)
        .transition(SAVE, "保存", REVIEW, REVIEW, 3)
        .transition(SAVE_CHECKED, "检查后保存", REVIEW, REVIEW, 3)
        .transition(FINISH, "完成", REVIEW, END, 1)
        .sql("UPDATE transitions SET field_require_check = 1 WHERE id IN (1001, 1003)");
    for (n, (id, key, type_id)) in FIELDS.iter().enumerate() {
        flow = flow.field(*id, key, *type_id, 101 + n as i64);
    }
    flow.install(&server.db).await;
}

/// A good value for every field, as a caller sends it.
fn good_values() -> Map<String, Value> {
    let Value::Object(map) = json!({
        "name": "网关", "amount": 42, "price": 2.5, "urgent": true, "day": "2026-03-01",
        "moment": "2026-03-01 08:30:00", "color": "2", "options": ["1", "2"], "region": "cn",
        "tags": ["a", "b"], "notes": "<p>详情</p>", "owner": "ops", "watchers": ["ops", "ops2"],
        "files": "/media/a.pdf,/media/b.png"
    }) else {
        unreachable!()
    };
    map
}

/// The values of `good_values` as they read back.
fn good_values_read_back() -> Map<String, Value> {
    let Value::Object(map) = json!({
        "name": "网关", "amount": 42, "price": 2.5, "urgent": true, "day": "2026-03-01",
        "moment": "2026-03-01 08:30:00", "color": "2", "options": "1,2", "region": "cn",
        "tags": "a,b", "notes": "<p>详情</p>", "owner": "ops", "watchers": "ops,ops2",
        "files": "/media/a.pdf,/media/b.png"
    }) else {
        unreachable!()
    };
    map
}

/// A creation body for the fixture: `values` plus workflow, transition and title.
fn creation(transition_id: i64, title: &str, values: &Map<String, Value>) -> Value {
    let mut body = values.clone();
    body.insert("workflow_id".into(), json!(WF));
    body.insert("transition_id".into(), json!(transition_id));
    body.insert("title".into(), json!(title));
    Value::Object(body)
}

/// Handles a ticket with a transition and field values.
async fn handle_with(client: &Client, id: i64, username: &str, transition_id: i64, fields: Value) -> Answer {
    let mut body = fields.as_object().cloned().unwrap_or_default();
    body.insert("transition_id".into(), json!(transition_id));
    client
        .patch(&format!("/api/v1.0/tickets/{id}"), username, Value::Object(body))
        .await
}

/// The detail's field list as `key -> (value, attribute)`, in the order shown.
async fn shown_fields(client: &Client, id: i64, username: &str) -> Vec<(String, Value, i64)> {
    let detail = client.get(&format!("/api/v1.0/tickets/{id}"), username).await;
    detail.data()["value"]["field_list"]
        .as_array()
        .expect("field_list")
        .iter()
        .map(|field| {
            (
                field["field_key"].as_str().unwrap().to_string(),
                field["field_value"].clone(),
                field["field_attribute"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The detail's field values by key.
async fn shown_values(client: &Client, id: i64, username: &str) -> Map<String, Value> {
    shown_fields(client, id, username)
        .await
        .into_iter()
        .map(|(key, value, _)| (key, value))
        .collect()
}

async fn detail_value(client: &Client, id: i64, username: &str) -> Value {
    client.get(&format!("/api/v1.0/tickets/{id}"), username).await.data()["value"].clone()
}

/// The flow logs of a ticket, newest first, with snapshots.
async fn logs(client: &Client, id: i64) -> Vec<Value> {
    client
        .get(
            &format!("/api/v1.0/tickets/{id}/flowlogs?ticket_data=1&per_page=100"),
            "admin",
        )
        .await
        .data()["value"]
        .as_array()
        .expect("logs")
        .clone()
}

async fn owned(client: &Client, username: &str, workflow_id: i64) -> Vec<i64> {
    client
        .ticket_ids(&format!("category=owner&workflow_ids={workflow_id}"), username)
        .await
}

/// Lets a second app `cmdb` use only workflow 2.
async fn add_cmdb_app(server: &Server) -> Client {
    server
        .db
        .execute(
            "INSERT INTO app_tokens (app_name, token, workflow_ids, ticket_sn_prefix, creator, gmt_created, gmt_modified) \
             VALUES ('cmdb', 'cmdb-token', '2', 'cmdb', 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .await;
    server.client_for("cmdb", "cmdb-token")
}

async fn every_field_type_round_trips_through_detail_and_snapshot(backend: Backend) {
    let server = Server::start(backend).await;
    install_fixture(&server).await;
    let client = server.client();
    let id = client
        .create_ticket("webb", creation(SUBMIT, "全类型", &good_values()))
        .await;

    // webb handles the review state (participant: the creator), so sees its state_field_str.
    let fields = shown_fields(&client, id, "webb").await;
    let keys: Vec<&str> = fields.iter().map(|(key, _, _)| key.as_str()).collect();
    let mut expected_keys = vec!["sn", "title", "state.state_name"];
    expected_keys.extend(custom_keys());
    assert_eq!(keys, expected_keys, "sorted by order_id");
    let attributes: Vec<i64> = fields.iter().map(|(_, _, attribute)| *attribute).collect();
    assert_eq!(attributes, [1, 3, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    let values: Map<String, Value> = fields.into_iter().map(|(key, value, _)| (key, value)).collect();
    assert_eq!(values["title"], "全类型");
    assert_eq!(values["state.state_name"], "复核");
    for (key, expected) in good_values_read_back() {
        assert_eq!(values[&key], expected, "field {key}");
    }
    assert!(values["amount"].is_i64(), "an integer, not {}", values["amount"]);
    assert!(values["price"].is_f64(), "a float, not {}", values["price"]);
    assert!(values["urgent"].is_boolean());

    // The detail's entries carry the definition.
    let detail = client.get(&format!("/api/v1.0/tickets/{id}"), "webb").await;
    let entry = detail.data()["value"]["field_list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|field| field["field_key"] == "options")
        .unwrap()
        .clone();
    assert_eq!(entry["field_type_id"], 40);
    assert_eq!(entry["field_name"], "options name");
    assert_eq!(entry["order_id"], 108);

    // The creation log's snapshot holds the converted values.
    let history = logs(&client, id).await;
    assert_eq!(history.len(), 1);
    let snapshot = &history[0]["ticket_data"];
    for (key, expected) in good_values_read_back() {
        assert_eq!(snapshot[&key], expected, "snapshot of {key}");
    }
    assert_eq!(snapshot["title"], "全类型");
    assert_eq!(snapshot["state_id"], REVIEW);

    // Other accepted forms: numeric strings, 0/1 and "True" for booleans, `T` datetimes,
    // date-only datetimes, comma strings for the multi-value types, numbers for text.
    let Value::Object(alternate) = json!({
        "name": 12345, "amount": "7", "price": "3.25", "urgent": 0, "day": "2024-02-29",
        "moment": "2026-03-01T08:30", "color": 3, "options": "3", "tags": "x,y",
        "watchers": "ops", "owner": "hr"
    }) else {
        unreachable!()
    };
    let other = client
        .create_ticket("webb", creation(SUBMIT, "其他写法", &alternate))
        .await;
    let values = shown_values(&client, other, "webb").await;
    let read: Vec<(&str, Value)> = [
        "name", "amount", "price", "urgent", "day", "moment", "color", "options", "tags", "watchers", "owner",
    ]
    .into_iter()
    .map(|key| (key, values[key].clone()))
    .collect();
    assert_eq!(
        read,
        [
            ("name", json!("12345")),
            ("amount", json!(7)),
            ("price", json!(3.25)),
            ("urgent", json!(false)),
            ("day", json!("2024-02-29")),
            ("moment", json!("2026-03-01 08:30:00")),
            ("color", json!("3")),
            ("options", json!("3")),
            ("tags", json!("x,y")),
            ("watchers", json!("ops")),
            ("owner", json!("hr")),
        ]
    );
    assert_eq!(values["notes"], Value::Null, "fields not sent read as null");
    assert_eq!(values["files"], Value::Null);
    let more = client
        .create_ticket(
            "webb",
            creation(
                SUBMIT,
                "更多写法",
                json!({"urgent": "True", "moment": "2026-03-02"}).as_object().unwrap(),
            ),
        )
        .await;
    let values = shown_values(&client, more, "webb").await;
    assert_eq!(values["urgent"], true);
    assert_eq!(values["moment"], "2026-03-02 00:00:00", "a date alone means midnight");

    // A viewer (not the handler) sees the workflow's display_form_str, read-only.
    let viewer = shown_fields(&client, id, "hr").await;
    let keys: Vec<(&str, i64)> = viewer.iter().map(|(key, _, a)| (key.as_str(), *a)).collect();
    assert_eq!(keys, [("sn", 1), ("title", 1), ("state.state_name", 1)]);
}

async fn wrong_types_name_the_field_and_change_nothing(backend: Backend) {
    let server = Server::start(backend).await;
    install_fixture(&server).await;
    let client = server.client();
    let bad: [(&str, Value, &str); 16] = [
        ("name", json!(true), "a string"),
        ("name", json!({"a": 1}), "a string"),
        ("amount", json!("abc"), "an integer"),
        ("price", json!("cheap"), "a number"),
        ("urgent", json!("maybe"), "a boolean (true or false)"),
        ("urgent", json!(2), "a boolean (true or false)"),
        ("day", json!("2026-02-30"), "a date as YYYY-MM-DD"),
        ("day", json!("01/03/2026"), "a date as YYYY-MM-DD"),
        ("moment", json!("tomorrow"), "a datetime as YYYY-MM-DD HH:MM:SS"),
        ("color", json!(["1"]), "a string"),
        (
            "options",
            json!({"1": true}),
            "a comma-separated string or a list of strings",
        ),
        ("region", json!(false), "a string"),
        ("tags", json!([["a"]]), "a comma-separated string or a list of strings"),
        ("notes", json!({"html": "<p/>"}), "a string"),
        ("owner", json!(["ops"]), "a string"),
        (
            "watchers",
            json!(true),
            "a comma-separated string or a list of usernames",
        ),
    ];
    for (key, value, expected) in &bad {
        let mut values = good_values();
        values.insert(key.to_string(), value.clone());
        let answer = client
            .post("/api/v1.0/tickets", "webb", creation(SUBMIT, "坏值", &values))
            .await;
        answer.assert_error(&format!("field {key} ({key} name) expects {expected}"));
    }
    let mut values = good_values();
    values.insert("files".into(), json!(["/media/a.pdf"]));
    client
        .post("/api/v1.0/tickets", "webb", creation(SUBMIT, "坏值", &values))
        .await
        .assert_error("field files (files name) expects a string");
    let mut values = good_values();
    values.insert("amount".into(), json!("abc"));
    let answer = client
        .post("/api/v1.0/tickets", "webb", creation(SUBMIT, "坏值", &values))
        .await;
    assert_eq!(
        answer.msg(),
        "field amount (amount name) expects an integer, got \"abc\""
    );
    assert!(owned(&client, "webb", WF).await.is_empty(), "nothing was created");
    assert!(client.ticket_ids("category=all", "admin").await.is_empty());

    // On a handle, a bad value fails the whole request: no value, state or log changes.
    let id = client
        .create_ticket("webb", creation(SUBMIT, "好值", &good_values()))
        .await;
    handle_with(
        &client,
        id,
        "webb",
        FINISH,
        json!({"notes": "新的说明", "amount": "many", "title": "新标题"}),
    )
    .await
    .assert_error("field amount (amount name) expects an integer, got \"many\"");
    let value = detail_value(&client, id, "webb").await;
    assert_eq!(value["state_id"], REVIEW);
    assert_eq!(value["title"], "好值");
    let values = shown_values(&client, id, "webb").await;
    assert_eq!(
        values["notes"], "<p>详情</p>",
        "the good value sent alongside was not written"
    );
    assert_eq!(values["amount"], 42);
    assert_eq!(logs(&client, id).await.len(), 1, "no log for a refused handle");
}

async fn required_fields_are_checked_only_when_the_transition_asks(backend: Backend) {
    let server = Server::start(backend).await;
    install_fixture(&server).await;
    let client = server.client();

    // Creation through a checking transition: title, name and amount are required.
    let mut values = good_values();
    values.remove("name");
    client
        .post("/api/v1.0/tickets", "webb", creation(SUBMIT_CHECKED, "缺字段", &values))
        .await
        .assert_error("此工单的必填字段为:title,name,amount (missing: name)");
    let mut values = good_values();
    values.insert("name".into(), Value::Null);
    values.remove("amount");
    client
        .post("/api/v1.0/tickets", "webb", creation(SUBMIT_CHECKED, "空字段", &values))
        .await
        .assert_error("(missing: name,amount)");
    let answer = client
        .post(
            "/api/v1.0/tickets",
            "webb",
            json!({"workflow_id": WF, "transition_id": SUBMIT_CHECKED, "name": "n", "amount": 1}),
        )
        .await;
    answer.assert_error("此工单的必填字段为:");
    answer.assert_error("missing: title");
    assert!(owned(&client, "webb", WF).await.is_empty(), "nothing was created");
    // Present is enough: an empty string is not missing.
    let mut values = good_values();
    values.insert("name".into(), json!(""));
    let checked = client
        .create_ticket("webb", creation(SUBMIT_CHECKED, "齐全", &values))
        .await;
    assert_eq!(shown_values(&client, checked, "webb").await["name"], "");
    // Without the check nothing is required.
    let unchecked = client
        .create_ticket(
            "webb",
            json!({"workflow_id": WF, "transition_id": SUBMIT, "note": "no fields at all"}),
        )
        .await;
    let value = detail_value(&client, unchecked, "webb").await;
    assert_eq!(value["title"], "");
    assert_eq!(value["state_id"], REVIEW);

    // Handling: the review state requires name.
    handle_with(&client, unchecked, "webb", SAVE_CHECKED, json!({"amount": 5}))
        .await
        .assert_error("此工单的必填字段为:name (missing: name)");
    handle_with(
        &client,
        unchecked,
        "webb",
        SAVE_CHECKED,
        json!({"name": null, "amount": 5}),
    )
    .await
    .assert_error("missing: name");
    assert_eq!(shown_values(&client, unchecked, "webb").await["amount"], Value::Null);
    assert_eq!(logs(&client, unchecked).await.len(), 1);
    assert_eq!(
        handle_with(
            &client,
            unchecked,
            "webb",
            SAVE_CHECKED,
            json!({"name": "有了", "amount": 5})
        )
        .await
        .data()["value"],
        true
    );
    assert_eq!(
        handle_with(&client, unchecked, "webb", SAVE, json!({"amount": 6}))
            .await
            .data()["value"],
        true,
        "no check, nothing required"
    );
    let values = shown_values(&client, unchecked, "webb").await;
    assert_eq!(
        (values["name"].clone(), values["amount"].clone()),
        (json!("有了"), json!(6))
    );

    // The demo's 请假申请: transition 12 (提交) checks every field of the start state.
    let leave = json!({
        "workflow_id": 3, "transition_id": 12, "title": "年假", "leave_start": "2026-12-01 09:00:00",
        "leave_end": "2026-12-03 18:00:00", "leave_days": 3, "leave_proxy": "hr", "leave_type": "1"
    });
    client
        .post("/api/v1.0/tickets", "webb", leave.clone())
        .await
        .assert_error(
            "此工单的必填字段为:title,leave_start,leave_end,leave_days,leave_proxy,leave_type,leave_reason \
             (missing: leave_reason)",
        );
    assert!(owned(&client, "webb", 3).await.is_empty());
    let mut complete = leave.clone();
    complete["leave_reason"] = json!("<p>回家</p>");
    let submitted = client.create_ticket("webb", complete).await;
    assert_eq!(detail_value(&client, submitted, "admin").await["state_id"], 12);
    // Transition 13 (保存) does not check: a draft with only a title is fine.
    let draft = client
        .create_ticket("webb", json!({"workflow_id": 3, "transition_id": 13, "title": "草稿"}))
        .await;
    assert_eq!(detail_value(&client, draft, "webb").await["state_id"], 11);
}

async fn handles_write_only_writable_fields_and_null_clears(backend: Backend) {
    let server = Server::start(backend).await;
    install_fixture(&server).await;
    let client = server.client();
    let id = client
        .create_ticket("webb", creation(SUBMIT, "原标题", &good_values()))
        .await;

    // Optional (3) and required (2) fields and the optional title are written; read-only sn
    // and pseudo keys are ignored; null clears an optional field.
    let answer = handle_with(
        &client,
        id,
        "webb",
        SAVE,
        json!({
            "title": "新标题", "name": "新名字", "amount": 43, "urgent": false, "tags": ["c"],
            "notes": null, "files": null, "sn": "hacked", "state.state_name": "hacked",
            "suggestion": "改一下"
        }),
    )
    .await;
    assert_eq!(answer.data()["value"], true);
    let value = detail_value(&client, id, "webb").await;
    assert_eq!(value["title"], "新标题");
    assert_ne!(value["sn"], "hacked");
    let values = shown_values(&client, id, "webb").await;
    assert_eq!(values["name"], "新名字");
    assert_eq!(values["amount"], 43);
    assert_eq!(values["urgent"], false);
    assert_eq!(values["tags"], "c");
    assert_eq!(values["notes"], Value::Null, "cleared");
    assert_eq!(values["files"], Value::Null, "cleared");
    assert_eq!(values["price"], 2.5, "not sent, kept");
    assert_eq!(values["state.state_name"], "复核");
    let history = logs(&client, id).await;
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["suggestion"], "改一下");
    assert_eq!(history[0]["ticket_data"]["amount"], 43);
    assert_eq!(history[0]["ticket_data"]["title"], "新标题");
    assert!(
        history[0]["ticket_data"].get("notes").is_some(),
        "cleared fields stay in the snapshot"
    );
    assert_eq!(history[1]["ticket_data"]["amount"], 42, "older snapshots unchanged");
    // A cleared field can be set again.
    handle_with(&client, id, "webb", SAVE, json!({"notes": "再写"}))
        .await
        .data();
    assert_eq!(shown_values(&client, id, "webb").await["notes"], "再写");

    // Demo 请假流程: in tl审批中 every field is read-only; admin's values are ignored.
    let leave = client
        .create_ticket(
            "webb",
            json!({
                "workflow_id": 1, "transition_id": 1, "title": "年假", "reason": "家里有事",
                "date_start": "2026-12-01 09:00:00", "date_end": "2026-12-02 18:00:00"
            }),
        )
        .await;
    let answer = client
        .patch(
            &format!("/api/v1.0/tickets/{leave}"),
            "admin",
            json!({
                "transition_id": 2, "reason": "changed", "title": "changed",
                "date_start": "2030-01-01 00:00:00", "date_end": "not a datetime, but never read"
            }),
        )
        .await;
    assert_eq!(answer.data()["value"], true);
    // hr handles 人事审批中 now, which shows title and reason.
    let values = shown_values(&client, leave, "hr").await;
    assert_eq!(values["title"], "年假");
    assert_eq!(values["reason"], "家里有事");
    assert_eq!(values["date_start"], "2026-12-01 09:00:00");
    assert_eq!(values["date_end"], "2026-12-02 18:00:00");
    assert_eq!(detail_value(&client, leave, "hr").await["state_id"], 3);
    let history = logs(&client, leave).await;
    assert_eq!(history[0]["ticket_data"]["reason"], "家里有事");
    assert_eq!(history[0]["ticket_data"]["title"], "年假");
}

async fn patch_fields_writes_custom_fields_and_title_with_a_log(backend: Backend) {
    let server = Server::start(backend).await;
    install_fixture(&server).await;
    let client = server.client();
    let id = client
        .create_ticket("webb", creation(SUBMIT, "原标题", &good_values()))
        .await;
    let path = format!("/api/v1.0/tickets/{id}/fields");

    // No user check (S5 keeps loonflow's): admin is not the handler.
    let answer = client
        .patch(
            &path,
            "admin",
            json!({"amount": 7, "title": "新标题", "notes": null, "options": ["3"], "moment": "2027-01-01 10:00"}),
        )
        .await;
    assert_eq!(answer.data(), &json!({}));
    assert_eq!(answer.msg(), "");
    let value = detail_value(&client, id, "webb").await;
    assert_eq!(value["title"], "新标题");
    assert_eq!(value["state_id"], REVIEW, "state unchanged");
    assert_eq!(value["participant"], "webb", "participant unchanged");
    let values = shown_values(&client, id, "webb").await;
    assert_eq!(values["amount"], 7);
    assert_eq!(values["notes"], Value::Null);
    assert_eq!(values["options"], "3");
    assert_eq!(values["moment"], "2027-01-01 10:00:00");
    assert_eq!(values["name"], "网关", "not sent, kept");

    // The change is logged (intervene 0, transition 0) with the keys in the suggestion.
    let history = logs(&client, id).await;
    assert_eq!(history.len(), 2);
    let log = &history[0];
    assert_eq!(log["intervene_type_id"], 0);
    assert_eq!(log["transition"]["transition_id"], 0);
    assert_eq!(log["transition"]["attribute_type_id"], 3);
    assert_eq!(log["participant"], "admin");
    assert_eq!(log["state"]["state_id"], REVIEW);
    let suggestion = log["suggestion"].as_str().unwrap();
    for key in ["amount", "title", "notes", "options", "moment"] {
        assert!(suggestion.contains(key), "suggestion {suggestion:?} lists {key}");
    }
    assert_eq!(log["ticket_data"]["amount"], 7);
    assert_eq!(log["ticket_data"]["title"], "新标题");
    // Writing the same value again is fine too.
    client.patch(&path, "admin", json!({"amount": 7})).await.data();
    assert_eq!(shown_values(&client, id, "webb").await["amount"], 7);
    assert_eq!(logs(&client, id).await.len(), 3);
    // The ticket still flows normally afterwards.
    client.handle(id, "webb", FINISH).await;
    assert_eq!(detail_value(&client, id, "webb").await["act_state_id"], 4);
    // Fields of a finished ticket can still be corrected.
    client.patch(&path, "webb", json!({"region": "us"})).await.data();
    assert_eq!(logs(&client, id).await.len(), 5);
}

async fn patch_fields_refuses_other_keys_and_changes_nothing(backend: Backend) {
    let server = Server::start(backend).await;
    install_fixture(&server).await;
    let client = server.client();
    let id = client
        .create_ticket("webb", creation(SUBMIT, "原标题", &good_values()))
        .await;
    let path = format!("/api/v1.0/tickets/{id}/fields");
    let refused: [(&str, Value); 11] = [
        ("state_id", json!(END)),
        ("participant", json!("hr")),
        ("participant_type_id", json!(2)),
        ("creator", json!("hr")),
        ("workflow_id", json!(1)),
        ("is_deleted", json!(1)),
        ("sn", json!("x")),
        ("act_state_id", json!(4)),
        ("relation", json!("hr")),
        ("ticket_type_id", json!(1)),
        ("unknown_key", json!("x")),
    ];
    for (key, value) in &refused {
        // The bad key after a good one, and before it.
        let mut after = Map::new();
        after.insert("amount".into(), json!(99));
        after.insert(key.to_string(), value.clone());
        client
            .patch(&path, "admin", Value::Object(after))
            .await
            .assert_error(key);
        let mut before = Map::new();
        before.insert(key.to_string(), value.clone());
        before.insert("title".into(), json!("被改了"));
        client
            .patch(&path, "admin", Value::Object(before))
            .await
            .assert_error(key);
    }
    client
        .patch(&path, "admin", json!({"notes": "new", "amount": "abc"}))
        .await
        .assert_error("field amount (amount name) expects an integer");
    client
        .patch(&path, "admin", json!({"title": 5, "notes": "new"}))
        .await
        .assert_error("title");
    client
        .patch(&path, "admin", json!({}))
        .await
        .assert_error("post参数为空");
    let mut headers = client.signed_headers(Some("admin"));
    headers.push(("content-type".into(), "application/json".into()));
    client
        .send_raw(Method::PATCH, &path, headers, "")
        .await
        .assert_error("post参数为空");
    let mut headers = client.signed_headers(Some("admin"));
    headers.push(("content-type".into(), "application/json".into()));
    client
        .send_raw(Method::PATCH, &path, headers, "[1]")
        .await
        .assert_error("JSON object");
    client
        .patch("/api/v1.0/tickets/999/fields", "admin", json!({"amount": 1}))
        .await
        .assert_error("is not existed");
    let cmdb = add_cmdb_app(&server).await;
    cmdb.patch(&path, "admin", json!({"amount": 1}))
        .await
        .assert_error("is not existed");

    // Nothing changed.
    let value = detail_value(&client, id, "webb").await;
    assert_eq!(
        (
            value["state_id"].clone(),
            value["participant"].clone(),
            value["creator"].clone(),
            value["workflow_id"].clone(),
            value["title"].clone(),
            value["act_state_id"].clone(),
        ),
        (
            json!(REVIEW),
            json!("webb"),
            json!("webb"),
            json!(WF),
            json!("原标题"),
            json!(1)
        )
    );
    let values = shown_values(&client, id, "webb").await;
    assert_eq!(values["amount"], 42);
    assert_eq!(values["notes"], "<p>详情</p>");
    assert_eq!(logs(&client, id).await.len(), 1, "refusals write no log");
    assert_eq!(client.ticket_ids("category=duty", "webb").await, [id]);
    assert!(client.ticket_ids("category=duty", "hr").await.is_empty());
}

async fn comments_add_a_log_and_change_nothing_else(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let leave = json!({
        "workflow_id": 1, "transition_id": 1, "title": "年假", "reason": "家里有事",
        "date_start": "2026-12-01 09:00:00", "date_end": "2026-12-02 18:00:00"
    });
    let id = client.create_ticket("webb", leave.clone()).await;
    let path = format!("/api/v1.0/tickets/{id}/comments");

    // Anyone may comment (no user check); hr is not involved in the ticket.
    let answer = client.post(&path, "hr", json!({"suggestion": "请尽快处理"})).await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    assert_eq!(answer.msg(), "add ticket comment successful");
    assert_eq!(answer.body["data"], json!({}));
    let history = logs(&client, id).await;
    assert_eq!(history.len(), 2);
    let comment = &history[0];
    assert_eq!(comment["intervene_type_id"], 5);
    assert_eq!(
        comment["transition"],
        json!({"transition_id": 0, "transition_name": "新增评论", "attribute_type_id": 3})
    );
    assert_eq!(comment["participant"], "hr");
    assert_eq!(comment["participant_info"]["participant_email"], "hr@1111.com");
    assert_eq!(comment["suggestion"], "请尽快处理");
    assert_eq!(comment["state"], json!({"state_id": 2, "state_name": "tl审批中"}));
    assert_eq!(comment["ticket_data"]["reason"], "家里有事");

    // The ticket did not move and still waits for admin.
    let value = detail_value(&client, id, "admin").await;
    assert_eq!(
        (
            value["state_id"].clone(),
            value["participant"].clone(),
            value["act_state_id"].clone()
        ),
        (json!(2), json!("admin"), json!(1))
    );
    assert_eq!(client.ticket_ids("category=duty", "admin").await, [id]);
    assert!(client.ticket_ids("category=duty", "hr").await.is_empty());
    // The commenter may still not handle it.
    assert_eq!(
        client
            .get(&format!("/api/v1.0/tickets/{id}/transitions"), "hr")
            .await
            .data()["value"],
        json!([])
    );
    let steps = client.get(&format!("/api/v1.0/tickets/{id}/flowsteps"), "webb").await;
    let in_review = &steps.data()["value"][1];
    assert_eq!(in_review["state_id"], 2);
    assert_eq!(
        in_review["state_flow_log_list"][0]["transition"]["transition_name"],
        "新增评论"
    );

    // Refusals.
    client
        .post(&path, "hr", json!({}))
        .await
        .assert_error("suggestion is needed");
    client
        .post(&path, "hr", json!({"suggestion": ""}))
        .await
        .assert_error("suggestion is needed");
    client
        .post(&path, "hr", json!({"suggestion": 5}))
        .await
        .assert_error("suggestion");
    client
        .post(&path, "hr", json!({"suggestion": "x", "transition_id": 2}))
        .await
        .assert_error("Wrong key");
    let mut headers = client.signed_headers(Some("hr"));
    headers.push(("content-type".into(), "application/json".into()));
    client
        .send_raw(Method::POST, &path, headers, "")
        .await
        .assert_error("suggestion is needed");
    client
        .send(
            Method::POST,
            &path,
            client.signed_headers(None),
            Some(json!({"suggestion": "匿名"})),
        )
        .await
        .assert_error("username");
    client
        .post("/api/v1.0/tickets/999/comments", "hr", json!({"suggestion": "x"}))
        .await
        .assert_error("is not existed");
    // S6: an app without the workflow cannot see the ticket.
    let cmdb = add_cmdb_app(&server).await;
    cmdb.post(&path, "hr", json!({"suggestion": "x"}))
        .await
        .assert_error("is not existed");
    assert_eq!(logs(&client, id).await.len(), 2, "refusals write no log");
    // B12: a very long comment is kept up to 10000 characters, marked as cut.
    client
        .post(&path, "hr", json!({"suggestion": "评".repeat(12_000)}))
        .await
        .data();
    let stored = logs(&client, id).await[0]["suggestion"].as_str().unwrap().to_string();
    assert!(
        stored.chars().count() <= 10_000,
        "{} characters",
        stored.chars().count()
    );
    assert!(stored.starts_with(&"评".repeat(9_000)));
    assert!(stored.contains("truncated"), "marked as cut");
    // B28: not on a deleted ticket.
    let deleted = client.create_ticket("webb", leave).await;
    server
        .db
        .execute(&format!("UPDATE tickets SET is_deleted = 1 WHERE id = {deleted}"))
        .await;
    client
        .post(
            &format!("/api/v1.0/tickets/{deleted}/comments"),
            "hr",
            json!({"suggestion": "x"}),
        )
        .await
        .assert_error("is not existed");
}

/// A small workflow `id` whose creation is limited by `limit` (states `id*10`, `id*10+1`,
/// transition `id*10`).
async fn install_limited(server: &Server, id: i64, limit: &str) {
    Flow::new(id, &format!("限制{id}"))
        .state(id * 10, "新建", 1, Handlers(0, "", 2), r#"{"title":3}"#)
        .state(id * 10 + 1, "处理中", 0, Handlers(5, "creator", 2), r#"{"title":1}"#)
        .transition(id * 10, "提交", id * 10, id * 10 + 1, 1)
        .sql(&format!(
            "UPDATE workflows SET limit_expression = '{limit}' WHERE id = {id}"
        ))
        .install(&server.db)
        .await;
}

async fn create_limited(client: &Client, workflow_id: i64, username: &str) -> Answer {
    client
        .post(
            "/api/v1.0/tickets",
            username,
            json!({"workflow_id": workflow_id, "transition_id": workflow_id * 10, "title": format!("by {username}")}),
        )
        .await
}

fn created_id(answer: &Answer) -> i64 {
    answer.data()["ticket_id"].as_i64().expect("ticket_id")
}

async fn rate_limits_count_per_creator_or_for_everyone(backend: Backend) {
    let server = Server::start(backend).await;
    install_limited(&server, 101, r#"{"period": 24, "count": 2}"#).await;
    install_limited(&server, 102, r#"{"period": 24, "count": 2, "level": 2}"#).await;
    install_limited(&server, 103, r#"{"period": 24, "count": 1, "level": 3}"#).await;
    install_limited(&server, 104, r#"{"period": 1, "count": 1, "level": 1}"#).await;
    let client = server.client();

    // Level defaults to 1: per creator, exactly `count` tickets per period.
    let first = created_id(&create_limited(&client, 101, "webb").await);
    created_id(&create_limited(&client, 101, "webb").await);
    let refused = create_limited(&client, 101, "webb").await;
    refused.assert_error("2 tickets can be created in 24 hours for workflow 101");
    assert_eq!(refused.msg(), "2 tickets can be created in 24 hours for workflow 101");
    assert_eq!(
        owned(&client, "webb", 101).await.len(),
        2,
        "the refused one was not created"
    );
    created_id(&create_limited(&client, 101, "hr").await);
    created_id(&create_limited(&client, 101, "hr").await);
    create_limited(&client, 101, "hr")
        .await
        .assert_error("2 tickets can be created in 24 hours for workflow 101");
    // Tickets older than the period do not count.
    let long_ago = (chrono::Local::now().naive_local() - chrono::TimeDelta::hours(25))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    server
        .db
        .execute(&format!(
            "UPDATE tickets SET gmt_created = '{long_ago}' WHERE id = {first}"
        ))
        .await;
    created_id(&create_limited(&client, 101, "webb").await);
    create_limited(&client, 101, "webb")
        .await
        .assert_error("2 tickets can be created in 24 hours for workflow 101");
    // Deleted tickets do not count either.
    let mine = owned(&client, "hr", 101).await;
    server
        .db
        .execute(&format!("UPDATE tickets SET is_deleted = 1 WHERE id = {}", mine[0]))
        .await;
    created_id(&create_limited(&client, 101, "hr").await);

    // Level 2 counts every creator's tickets.
    created_id(&create_limited(&client, 102, "webb").await);
    created_id(&create_limited(&client, 102, "hr").await);
    create_limited(&client, 102, "ops")
        .await
        .assert_error("2 tickets can be created in 24 hours for workflow 102");
    create_limited(&client, 102, "webb")
        .await
        .assert_error("2 tickets can be created in 24 hours for workflow 102");
    assert!(owned(&client, "ops", 102).await.is_empty());

    // Any other level is a configuration error.
    create_limited(&client, 103, "webb")
        .await
        .assert_error("level in limit_expression is invalid");
    assert!(owned(&client, "webb", 103).await.is_empty());

    // An explicit level 1 behaves like the default.
    created_id(&create_limited(&client, 104, "webb").await);
    create_limited(&client, 104, "webb")
        .await
        .assert_error("1 tickets can be created in 1 hours for workflow 104");
    created_id(&create_limited(&client, 104, "ops").await);

    // Broken limits are clear errors; an empty expression means no limit.
    install_limited(&server, 108, r#"{"period": 24}"#).await;
    create_limited(&client, 108, "webb")
        .await
        .assert_error("count is need when level is not none");
    install_limited(&server, 109, "not json").await;
    create_limited(&client, 109, "webb")
        .await
        .assert_error("limit_expression of workflow 109");
    install_limited(&server, 110, "").await;
    created_id(&create_limited(&client, 110, "webb").await);
    created_id(&create_limited(&client, 110, "webb").await);
    assert!(owned(&client, "webb", 108).await.is_empty());
    assert!(owned(&client, "webb", 109).await.is_empty());

    // Other workflows are unaffected.
    client
        .create_ticket(
            "webb",
            json!({"workflow_id": 1, "transition_id": 1, "title": "t", "reason": "r"}),
        )
        .await;
}

async fn rate_limits_hold_under_concurrent_creations(backend: Backend) {
    let server = Server::start(backend).await;
    install_limited(&server, 101, r#"{"period": 24, "count": 2}"#).await;
    install_limited(&server, 102, r#"{"period": 24, "count": 1, "level": 2}"#).await;
    for (workflow_id, allowed) in [(101, 2), (102, 1)] {
        let attempts: Vec<_> = (0..8)
            .map(|n| {
                let client = server.client();
                let username = if workflow_id == 102 && n % 2 == 1 { "hr" } else { "webb" };
                tokio::spawn(async move { create_limited(&client, workflow_id, username).await })
            })
            .collect();
        let mut answers = Vec::new();
        for attempt in attempts {
            answers.push(attempt.await.expect("task"));
        }
        let created = answers.iter().filter(|answer| answer.code() == 0).count();
        let outcomes: Vec<&str> = answers
            .iter()
            .map(|answer| if answer.code() == 0 { "created" } else { answer.msg() })
            .collect();
        assert_eq!(created, allowed, "workflow {workflow_id}: {outcomes:?}");
        for refused in answers.iter().filter(|answer| answer.code() != 0) {
            refused.assert_error(&format!(
                "{allowed} tickets can be created in 24 hours for workflow {workflow_id}"
            ));
        }
        let listed = server
            .client()
            .ticket_ids(&format!("category=all&workflow_ids={workflow_id}"), "admin")
            .await;
        assert_eq!(listed.len(), allowed, "workflow {workflow_id}");
    }
}

async fn allow_lists_limit_who_may_create(backend: Backend) {
    let server = Server::start(backend).await;
    install_limited(&server, 105, r#"{"allow_persons": "webb,ops"}"#).await;
    install_limited(&server, 106, r#"{"allow_depts": "4"}"#).await;
    install_limited(&server, 107, r#"{"allow_roles": "1"}"#).await;
    let client = server.client();

    created_id(&create_limited(&client, 105, "webb").await);
    created_id(&create_limited(&client, 105, "ops").await);
    let refused = create_limited(&client, 105, "hr").await;
    refused.assert_error("hr can not create ticket base on workflow_id:105");
    assert_eq!(refused.msg(), "hr can not create ticket base on workflow_id:105");
    create_limited(&client, 105, "webbx")
        .await
        .assert_error("webbx can not create ticket base on workflow_id:105");
    assert!(owned(&client, "hr", 105).await.is_empty());

    // Dept 4 (技术部) and its sub-departments: david is in 交易部 (5), under 4.
    created_id(&create_limited(&client, 106, "david").await);
    created_id(&create_limited(&client, 106, "lilian").await);
    created_id(&create_limited(&client, 106, "ops").await);
    create_limited(&client, 106, "webb")
        .await
        .assert_error("user is not in allow dept");
    create_limited(&client, 106, "hr")
        .await
        .assert_error("user is not in allow dept");
    assert!(owned(&client, "webb", 106).await.is_empty());

    // Role 1 (运维人员): ops and ops2.
    created_id(&create_limited(&client, 107, "ops").await);
    created_id(&create_limited(&client, 107, "ops2").await);
    create_limited(&client, 107, "webb")
        .await
        .assert_error("user is not in allow role");
    create_limited(&client, 107, "admin")
        .await
        .assert_error("user is not in allow role");
    assert!(owned(&client, "webb", 107).await.is_empty());
}

async fn over_long_values_are_refused(backend: Backend) {
    let server = Server::start(backend).await;
    install_fixture(&server).await;
    let client = server.client();

    // 500 characters (not bytes) is the most a title takes.
    let longest = "标".repeat(500);
    let too_long = "标".repeat(501);
    client
        .post("/api/v1.0/tickets", "webb", creation(SUBMIT, &too_long, &good_values()))
        .await
        .assert_error("title is longer than 500 characters");
    client
        .post(
            "/api/v1.0/tickets",
            "webb",
            json!({"workflow_id": 1, "transition_id": 1, "title": "x".repeat(501), "reason": "r"}),
        )
        .await
        .assert_error("title");
    let mut values = good_values();
    values.insert("name".into(), json!("n".repeat(2001)));
    client
        .post("/api/v1.0/tickets", "webb", creation(SUBMIT, "长", &values))
        .await
        .assert_error("field name (name name) is longer than 2000 characters");
    let mut values = good_values();
    values.insert("owner".into(), json!("u".repeat(101)));
    client
        .post("/api/v1.0/tickets", "webb", creation(SUBMIT, "长", &values))
        .await
        .assert_error("field owner (owner name) is longer than 100 characters");
    assert!(
        client.ticket_ids("category=all", "admin").await.is_empty(),
        "nothing created"
    );

    let id = client
        .create_ticket("webb", creation(SUBMIT, &longest, &good_values()))
        .await;
    assert_eq!(detail_value(&client, id, "webb").await["title"], json!(longest));
    let mut values = good_values();
    values.insert("name".into(), json!("n".repeat(2000)));
    values.insert("notes".into(), json!("长".repeat(5000)));
    let long_values = client.create_ticket("webb", creation(SUBMIT, "最长", &values)).await;
    let shown = shown_values(&client, long_values, "webb").await;
    assert_eq!(shown["name"].as_str().unwrap().chars().count(), 2000);
    assert_eq!(shown["notes"].as_str().unwrap().chars().count(), 5000);

    // On handle and on /fields too; nothing changes.
    handle_with(&client, id, "webb", SAVE, json!({"title": too_long}))
        .await
        .assert_error("title is longer than 500 characters");
    client
        .patch(
            &format!("/api/v1.0/tickets/{id}/fields"),
            "webb",
            json!({"title": too_long}),
        )
        .await
        .assert_error("title is longer than 500 characters");
    assert_eq!(detail_value(&client, id, "webb").await["title"], json!(longest));
    assert_eq!(logs(&client, id).await.len(), 1);
}
