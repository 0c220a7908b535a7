//! Workflow read endpoints (manual chapter 19) against loonflow's demo data.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Backend, Server, on_both_backends};

on_both_backends!(
    workflow_list_shows_the_demo_workflows,
    workflow_list_pages_like_loonflow,
    workflow_list_filters_by_name_and_search_value,
    workflow_list_from_admin_keeps_managed_workflows,
    bad_paging_parameters_name_the_parameter,
    init_state_gives_start_state_transitions_and_fields,
    init_state_of_the_manual_example_has_every_field_type,
    state_detail_has_parsed_fields_and_masked_hook_token,
    states_list_in_order_with_participant_info,
    states_list_pages_and_filters,
    unknown_ids_are_clear_errors,
    malformed_paths_and_methods_answer_in_the_envelope,
    username_is_required_where_loonflow_requires_it,
);

fn names(data: &Value) -> Vec<String> {
    data["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap().to_string())
        .collect()
}

fn keys(object: &Value) -> Vec<&str> {
    object.as_object().unwrap().keys().map(String::as_str).collect()
}

async fn workflow_list_shows_the_demo_workflows(backend: Backend) {
    let server = Server::start(backend).await;
    let answer = server.client().get("/api/v1.0/workflows", "admin").await;
    assert_eq!(answer.msg(), "");
    let data = answer.data();
    assert_eq!(names(data), ["请假流程", "vpn申请", "请假申请"]);
    assert_eq!(
        (data["total"].clone(), data["page"].clone(), data["per_page"].clone()),
        (json!(3), json!(1), json!(10))
    );
    let first = &data["value"][0];
    assert_eq!(
        keys(first),
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
    assert_eq!(first["id"], 1);
    assert_eq!(first["creator"], "admin");
    assert_eq!(first["view_permission_check"], false);
    assert_eq!(first["limit_expression"], "{}");
    assert_eq!(first["title_template"], "你有一个待办工单:{title}");
    assert_eq!(first["workflow_admin"], "");
    // Loonflow returns display_form_str as the raw JSON text.
    let display: Value = serde_json::from_str(first["display_form_str"].as_str().unwrap()).unwrap();
    assert_eq!(display[0], "title");
    let created = first["gmt_created"].as_str().unwrap();
    assert_eq!(created.len(), 19, "YYYY-MM-DD HH:MM:SS, got {created}");
}

async fn workflow_list_pages_like_loonflow(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let second = client.get("/api/v1.0/workflows?per_page=2&page=2", "admin").await;
    assert_eq!(names(second.data()), ["请假申请"]);
    assert_eq!(second.data()["page"], 2);
    assert_eq!(second.data()["per_page"], 2);
    assert_eq!(second.data()["total"], 3);
    // Past the end (or below 1) shows the last page, echoing the requested page.
    let beyond = client.get("/api/v1.0/workflows?per_page=2&page=9", "admin").await;
    assert_eq!(names(beyond.data()), ["请假申请"]);
    assert_eq!(beyond.data()["page"], 9);
    let below = client.get("/api/v1.0/workflows?per_page=2&page=0", "admin").await;
    assert_eq!(names(below.data()), ["请假申请"]);
    let first = client.get("/api/v1.0/workflows?per_page=2", "admin").await;
    assert_eq!(names(first.data()), ["请假流程", "vpn申请"]);
}

async fn workflow_list_filters_by_name_and_search_value(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let by_name = client.get("/api/v1.0/workflows?name=%E8%AF%B7%E5%81%87", "admin").await; // 请假
    assert_eq!(names(by_name.data()), ["请假流程", "请假申请"]);
    assert_eq!(by_name.data()["total"], 2);
    let by_search = client.get("/api/v1.0/workflows?search_value=vpn", "admin").await;
    assert_eq!(names(by_search.data()), ["vpn申请"]);
    let upper = client.get("/api/v1.0/workflows?search_value=VPN", "admin").await;
    assert_eq!(
        names(upper.data()),
        ["vpn申请"],
        "the filter ignores ASCII case, as loonflow's MySQL collation"
    );
    let none = client
        .get("/api/v1.0/workflows?search_value=nothing-like-this", "admin")
        .await;
    assert_eq!(none.data()["total"], 0);
    assert_eq!(none.data()["value"], json!([]));
    // LIKE wildcards in the filter are matched literally.
    let wildcard = client.get("/api/v1.0/workflows?search_value=%25", "admin").await;
    assert_eq!(wildcard.data()["total"], 0);
    let underscore = client.get("/api/v1.0/workflows?search_value=_", "admin").await;
    assert_eq!(underscore.data()["total"], 0);
}

async fn workflow_list_from_admin_keeps_managed_workflows(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    // admin is a super admin: manages everything.
    assert_eq!(
        client.get("/api/v1.0/workflows?from_admin=1", "admin").await.data()["total"],
        3
    );
    // webb manages nothing until listed as an admin of a workflow.
    assert_eq!(
        client.get("/api/v1.0/workflows?from_admin=1", "webb").await.data()["total"],
        0
    );
    assert_eq!(
        client.get("/api/v1.0/workflows?from_admin=0", "webb").await.data()["total"],
        3
    );
    server
        .db
        .execute(
            "INSERT INTO workflow_admins (workflow_id, username, creator, gmt_created, gmt_modified) \
             VALUES (2, 'webb', 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .await;
    let managed = client.get("/api/v1.0/workflows?from_admin=true", "webb").await;
    assert_eq!(names(managed.data()), ["vpn申请"]);
    assert_eq!(managed.data()["value"][0]["workflow_admin"], "webb");
    client
        .get("/api/v1.0/workflows?from_admin=yes", "webb")
        .await
        .assert_error("from_admin must be");
}

async fn bad_paging_parameters_name_the_parameter(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    client
        .get("/api/v1.0/workflows?page=abc", "admin")
        .await
        .assert_error("page must be an integer, got \"abc\"");
    client
        .get("/api/v1.0/workflows?per_page=x1", "admin")
        .await
        .assert_error("per_page must be an integer");
    client
        .get("/api/v1.0/workflows?per_page=0", "admin")
        .await
        .assert_error("per_page must be between 1 and 1000");
    client
        .get("/api/v1.0/workflows?per_page=100000", "admin")
        .await
        .assert_error("per_page must be between 1 and 1000");
    client
        .get("/api/v1.0/workflows/1/states?page=1.5", "admin")
        .await
        .assert_error("page must be an integer");
    // An empty value means the default, as in loonflow's workflow endpoints.
    assert_eq!(
        client.get("/api/v1.0/workflows?page=&per_page=", "admin").await.data()["per_page"],
        10
    );
}

async fn init_state_gives_start_state_transitions_and_fields(backend: Backend) {
    let server = Server::start(backend).await;
    let answer = server.client().get("/api/v1.0/workflows/1/init_state", "webb").await;
    let data = answer.data();
    assert_eq!(data["id"], 1);
    assert_eq!(data["name"], "发起人-编辑中");
    assert_eq!(data["workflow_id"], 1);
    assert_eq!(data["type_id"], 1);
    assert_eq!(data["label"], json!({}));
    assert!(
        data.get("state_field_str").is_none(),
        "init_state drops state_field_str"
    );
    assert_eq!(
        data["transition"],
        json!([{"transition_id": 1, "transition_name": "提交"}])
    );
    let fields = data["field_list"].as_array().unwrap();
    let field_keys: Vec<&str> = fields.iter().map(|f| f["field_key"].as_str().unwrap()).collect();
    assert_eq!(
        field_keys,
        ["title", "date_start", "date_end", "reason"],
        "sorted by order_id"
    );
    assert!(
        fields
            .iter()
            .all(|f| f["field_attribute"] == 2 && f["field_value"].is_null())
    );
    assert_eq!(
        fields[0],
        json!({
            "field_key": "title", "field_name": "标题", "field_value": null, "order_id": 20,
            "field_type_id": 5, "field_attribute": 2, "description": "工单的标题",
            "field_choice": {}, "boolean_field_display": {}, "default_value": null,
            "field_template": "", "label": {}
        })
    );
    assert_eq!(fields[1]["field_type_id"], 30);
    assert_eq!(fields[1]["field_name"], "开始日期");
    assert_eq!(fields[1]["description"], "请选择请假开始日期");
    assert_eq!(fields[3]["field_type_id"], 55);
}

async fn init_state_of_the_manual_example_has_every_field_type(backend: Backend) {
    let server = Server::start(backend).await;
    let data = server
        .client()
        .get("/api/v1.0/workflows/3/init_state", "webb")
        .await
        .data()
        .clone();
    assert_eq!(data["name"], "新建中");
    assert_eq!(
        data["transition"],
        json!([{"transition_id": 12, "transition_name": "提交"}, {"transition_id": 13, "transition_name": "保存"}])
    );
    let fields: Vec<(String, i64)> = data["field_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field_key"].as_str().unwrap().to_string(),
                f["field_type_id"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("title", 5),
        ("leave_start", 30),
        ("leave_end", 30),
        ("leave_days", 15),
        ("leave_proxy", 60),
        ("leave_type", 40),
        ("leave_reason", 55),
    ];
    assert_eq!(fields, expected.map(|(k, t)| (k.to_string(), t)));
    let leave_type = &data["field_list"][5];
    assert_eq!(
        leave_type["field_choice"],
        json!({"1": "年假", "2": "调休", "3": "病假", "4": "婚假"})
    );
}

async fn state_detail_has_parsed_fields_and_masked_hook_token(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let data = client.get("/api/v1.0/workflows/states/2", "admin").await.data().clone();
    assert_eq!(
        keys(&data),
        [
            "id",
            "name",
            "workflow_id",
            "sub_workflow_id",
            "distribute_type_id",
            "is_hidden",
            "order_id",
            "type_id",
            "participant_type_id",
            "participant",
            "state_field",
            "label",
            "creator",
            "gmt_created"
        ]
    );
    assert_eq!(data["name"], "tl审批中");
    assert_eq!(data["participant_type_id"], 5);
    assert_eq!(data["participant"], "creator_tl");
    assert_eq!(data["distribute_type_id"], 2);
    assert_eq!(data["state_field"]["title"], 1);
    assert_eq!(data["state_field"]["workflow.workflow_name"], 1);

    let hook = client.get("/api/v1.0/workflows/states/7", "admin").await.data().clone();
    assert_eq!(hook["participant_type_id"], 10);
    let config: Value = serde_json::from_str(hook["participant"].as_str().unwrap()).unwrap();
    assert_eq!(
        config["hook_token"], "***",
        "hook secrets are never shown to signed callers"
    );
    assert_eq!(config["wait"], false);
    assert_eq!(config["extra_info"], "xxxx");
}

async fn states_list_in_order_with_participant_info(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let data = client.get("/api/v1.0/workflows/1/states", "admin").await.data().clone();
    assert_eq!(names(&data), ["发起人-编辑中", "tl审批中", "人事审批中", "结束"]);
    assert_eq!(data["total"], 4);
    let tl = &data["value"][1];
    assert_eq!(
        tl["state_field_str"]["reason"], 1,
        "state_field_str is parsed in the list"
    );
    assert_eq!(
        tl["participant_info"],
        json!({"participant": "creator_tl", "participant_name": "creator_tl", "participant_type_id": 5,
               "participant_type_name": "变量", "participant_alias": "工单创建人tl"})
    );
    assert_eq!(data["value"][2]["participant_info"]["participant_type_name"], "部门");
    assert_eq!(data["value"][2]["participant_info"]["participant_alias"], "人事部");
    assert_eq!(data["value"][3]["participant_info"]["participant_type_name"], "");

    let vpn = client.get("/api/v1.0/workflows/2/states", "admin").await.data().clone();
    assert_eq!(
        names(&vpn),
        ["发起人-新建中", "运维人员-审批中", "vpn授权中", "发起人-确认中", "结束"]
    );
    assert_eq!(vpn["value"][1]["participant_info"]["participant_type_name"], "角色");
    assert_eq!(vpn["value"][1]["participant_info"]["participant_alias"], "运维人员");
    let hook = &vpn["value"][2];
    assert_eq!(hook["participant_info"]["participant_type_name"], "hook");
    for text in [&hook["participant"], &hook["participant_info"]["participant_alias"]] {
        assert!(
            text.as_str().unwrap().contains("\"hook_token\":\"***\""),
            "masked: {text}"
        );
    }
    assert_eq!(vpn["value"][3]["participant_info"]["participant_alias"], "工单创建人");

    let manual = client.get("/api/v1.0/workflows/3/states", "admin").await.data().clone();
    let hr = &manual["value"][3];
    assert_eq!(hr["name"], "人事部门-处理中");
    assert_eq!(hr["participant_info"]["participant_type_name"], "个人");
    assert_eq!(hr["participant_info"]["participant_alias"], "超级管理员");
    assert_eq!(manual["value"][1]["is_hidden"], true);
    assert_eq!(manual["value"][2]["label"], json!({"tech_er_in": "qa"}));
}

async fn states_list_pages_and_filters(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let page = client
        .get("/api/v1.0/workflows/2/states?per_page=2&page=2", "admin")
        .await;
    assert_eq!(names(page.data()), ["vpn授权中", "发起人-确认中"]);
    assert_eq!(page.data()["total"], 5);
    let filtered = client
        .get(
            "/api/v1.0/workflows/2/states?search_value=%E5%8F%91%E8%B5%B7%E4%BA%BA",
            "admin",
        )
        .await; // 发起人
    assert_eq!(names(filtered.data()), ["发起人-新建中", "发起人-确认中"]);
}

async fn unknown_ids_are_clear_errors(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    for path in [
        "/api/v1.0/workflows/999/init_state",
        "/api/v1.0/workflows/999/states",
        "/api/v1.0/workflows/0/states",
    ] {
        let answer = client.get(path, "admin").await;
        assert_eq!(answer.status, 200);
        answer.assert_error("is not existed or has been deleted");
    }
    let answer = client.get("/api/v1.0/workflows/states/999", "admin").await;
    answer.assert_error("工单状态不存在或已被删除");
    let huge = client
        .get("/api/v1.0/workflows/states/99999999999999999", "admin")
        .await;
    huge.assert_error("工单状态不存在或已被删除");
}

async fn malformed_paths_and_methods_answer_in_the_envelope(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    for path in [
        "/api/v1.0/workflows/abc/init_state",
        "/api/v1.0/workflows/-1/init_state",
        "/api/v1.0/workflows/1.5/states",
        "/api/v1.0/workflows/states/x",
        "/api/v1.0/workflows/99999999999999999999999/states",
        "/api/v1.0/workflows/",
        "/api/v1.0/nothing",
    ] {
        let answer = client.get(path, "admin").await;
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.code(), -1, "{path}");
        assert!(!answer.msg().is_empty());
    }
    let answer = client.get("/api/v1.0/workflows/abc/init_state", "admin").await;
    answer.assert_error("invalid id \"abc\" in path");
    let answer = client
        .send(
            Method::DELETE,
            "/api/v1.0/workflows/1/init_state",
            client.signed_headers(Some("admin")),
            None,
        )
        .await;
    assert_eq!(answer.status, 405);
    answer.assert_error("method not allowed");
}

async fn username_is_required_where_loonflow_requires_it(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    for path in ["/api/v1.0/workflows/1/init_state", "/api/v1.0/workflows/states/1"] {
        let answer = client.send(Method::GET, path, client.signed_headers(None), None).await;
        answer.assert_error("请提供username");
    }
    // The list does not need a username.
    let answer = client
        .send(Method::GET, "/api/v1.0/workflows", client.signed_headers(None), None)
        .await;
    assert_eq!(answer.data()["total"], 3);
}
