//! Workflows as documents: export names everything by name, export → import into a fresh
//! server → export gives the same document, imports update in place and refuse bad
//! documents whole, and the command line does the same.

use serde_json::{Value, json};

use crate::support::cli::grebe;
use crate::support::server::{DEMO_APP, DEMO_TOKEN};
use crate::support::{Backend, Client, Server, on_both_backends};

on_both_backends!(
    export_names_everything_by_name,
    demo_workflows_round_trip_through_a_fresh_server,
    import_updates_a_workflow_in_place,
    bad_documents_are_refused_and_change_nothing,
    documents_from_the_command_line,
);

const W: &str = "/api/v1.0/workflows";

async fn export(client: &Client, workflow: i64) -> Value {
    client
        .get(&format!("{W}/{workflow}/export"), "admin")
        .await
        .data()
        .clone()
}

async fn import(client: &Client, document: &Value) -> Value {
    client
        .post(&format!("{W}/import"), "admin", document.clone())
        .await
        .data()
        .clone()
}

fn approval_fields() -> Value {
    json!({"title":1,"reason":1,"date_start":1,"date_end":1,"participant_info.participant_name":1,
           "state.state_name":1,"workflow.workflow_name":1})
}

fn state(name: &str, order: i64, type_id: i64, participant: (i64, &str), fields: Value) -> Value {
    json!({
        "name": name, "is_hidden": false, "order_id": order, "type_id": type_id, "enable_retreat": false,
        "remember_last_man_enable": false, "participant_type_id": participant.0, "participant": participant.1,
        "distribute_type_id": 2, "state_field_str": fields, "label": {}, "sub_workflow": ""
    })
}

fn transition(name: &str, from: &str, to: &str, attribute: i64) -> Value {
    json!({
        "name": name, "source_state": from, "destination_state": to, "transition_type_id": 1, "timer": 0,
        "condition_expression": [], "attribute_type_id": attribute, "field_require_check": false,
        "alert_enable": false, "alert_text": ""
    })
}

fn field(key: &str, name: &str, type_id: i64, order: i64, description: &str) -> Value {
    json!({
        "field_key": key, "field_name": name, "field_type_id": type_id, "order_id": order, "default_value": "",
        "description": description, "field_template": "", "boolean_field_display": {}, "field_choice": {},
        "label": {}
    })
}

/// The demo leave request (workflow 1) as a document.
fn leave_document() -> Value {
    json!({
        "format": "grebe.workflow/1",
        "workflow": {
            "name": "请假流程", "description": "请假流程", "notices": [], "view_permission_check": false,
            "limit_expression": {},
            "display_form_str": ["title", "sn", "gmt_created", "state.state_name", "participant_info.participant_name",
                                 "workflow.workflow_name"],
            "title_template": "你有一个待办工单:{title}", "content_template": "标题:{title}, 创建时间:{gmt_created}",
            "workflow_admin": []
        },
        "custom_fields": [
            field("date_start", "开始日期", 30, 30, "请选择请假开始日期"),
            field("date_end", "截止时间", 30, 31, "请假截止时间"),
            field("reason", "请假原因", 55, 200, "请填写请假原因"),
        ],
        "states": [
            state("发起人-编辑中", 0, 1, (0, ""), json!({"title":2,"reason":2,"date_start":2,"date_end":2})),
            state("tl审批中", 1, 0, (5, "creator_tl"), approval_fields()),
            state("人事审批中", 3, 0, (3, "人事部"), approval_fields()),
            state("结束", 4, 2, (0, ""), approval_fields()),
        ],
        "transitions": [
            transition("提交", "发起人-编辑中", "tl审批中", 1),
            transition("同意", "tl审批中", "人事审批中", 1),
            transition("拒绝", "tl审批中", "发起人-编辑中", 2),
            transition("同意", "人事审批中", "结束", 1),
            transition("拒绝", "人事审批中", "发起人-编辑中", 2),
        ]
    })
}

async fn export_names_everything_by_name(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    assert_eq!(export(&client, 1).await, leave_document());

    let vpn = export(&client, 2).await;
    assert_eq!(vpn["states"][1]["participant"], "运维人员", "roles by name");
    assert_eq!(
        vpn["states"][2]["participant"],
        json!({"hook_url": "http://127.0.0.1:9/vpn-grant", "hook_token": "***", "wait": false, "extra_info": "xxxx"}),
        "hooks as objects, their tokens masked"
    );
    assert_eq!(vpn["states"][3]["participant"], "creator");
    let manual = export(&client, 3).await;
    assert_eq!(manual["states"][1]["is_hidden"], true);
    assert_eq!(manual["states"][2]["label"], json!({"tech_er_in": "qa"}));
    assert_eq!(
        manual["custom_fields"][4]["field_choice"],
        json!({"1":"年假","2":"调休","3":"病假","4":"婚假"})
    );
    assert_eq!(manual["transitions"][4]["alert_text"], "确定退回给发起人修改吗?");

    // Notices, sub-workflows, department and role limits are named too.
    let notice = client
        .post(
            &format!("{W}/custom_notices"),
            "admin",
            json!({"name": "群机器人", "hook_url": "http://h/n", "hook_token": "t"}),
        )
        .await
        .data()["notice_id"]
        .as_i64()
        .unwrap();
    client
        .patch(
            &format!("{W}/1"),
            "admin",
            json!({"notices": notice.to_string(), "limit_expression": {"period": 24, "count": 3, "allow_depts": "2,4", "allow_roles": 1},
                   "workflow_admin": "lilian,webb"}),
        )
        .await
        .data();
    client
        .patch(&format!("{W}/1/states/2"), "admin", json!({"sub_workflow_id": 2}))
        .await
        .data();
    let document = export(&client, 1).await;
    assert_eq!(document["workflow"]["notices"], json!(["群机器人"]));
    assert_eq!(
        document["workflow"]["limit_expression"],
        json!({"period": 24, "count": 3, "allow_depts": ["人事部", "技术部"], "allow_roles": ["运维人员"]})
    );
    assert_eq!(document["workflow"]["workflow_admin"], json!(["lilian", "webb"]));
    assert_eq!(document["states"][1]["sub_workflow"], "vpn申请");
    // A new workflow's state may take sub-tickets of that same workflow.
    let mut copy = document.clone();
    copy["workflow"]["name"] = json!("副本");
    copy["states"][2]["sub_workflow"] = json!("副本");
    let id = import(&client, &copy).await["workflow_id"].as_i64().unwrap();
    assert_eq!(export(&client, id).await, copy);
    let text = document.to_string();
    for leaked in ["\"id\"", "gmt_created\":", "creator\":", "workflow_id", "\"xxxx\""] {
        assert!(!text.contains(leaked), "{leaked} in {text}");
    }
}

/// A server without demo data, set up the way a new team would: a first super admin and
/// app from the command line, then the directory the demo workflows need, synced.
async fn fresh_server(backend: Backend) -> Server {
    let server = Server::start_with(backend, &["--no-demo"]).await;
    let created = grebe(&[
        "bootstrap",
        "--database-url",
        &server.db.url,
        "--username",
        "admin",
        "--app",
        DEMO_APP,
        "--token",
        DEMO_TOKEN,
    ])
    .json();
    assert_eq!(
        created,
        json!({"username": "admin", "app_name": DEMO_APP, "token": DEMO_TOKEN})
    );
    let again = grebe(&["bootstrap", "--database-url", &server.db.url, "--app", "second"]);
    assert!(!again.success, "only once");
    let directory = json!({
        "depts": [
            {"external_id": "root", "name": "loonflow", "leader": "admin", "approvers": ["admin"]},
            {"external_id": "hr", "name": "人事部", "parent_external_id": "root", "leader": "hr", "approvers": ["hr"]}
        ],
        "users": [
            {"external_id": "webb", "username": "webb", "dept_external_id": "root"},
            {"external_id": "hr", "username": "hr", "dept_external_id": "hr"},
            {"external_id": "ops", "username": "ops"},
            {"external_id": "ops2", "username": "ops2"}
        ],
        "roles": [{"external_id": "ops", "name": "运维人员", "members": ["ops", "ops2"]}]
    });
    server
        .client()
        .post("/api/v1.0/accounts/sync", "admin", directory)
        .await
        .data();
    server
}

async fn demo_workflows_round_trip_through_a_fresh_server(backend: Backend) {
    let demo = Server::start(backend).await;
    let mut documents = Vec::new();
    for workflow in [1, 2, 3] {
        documents.push(export(&demo.client(), workflow).await);
    }
    let fresh = fresh_server(backend).await;
    let client = fresh.client();
    assert_eq!(client.get(W, "admin").await.data()["total"], 0);
    let mut ids = Vec::new();
    for document in &documents {
        let outcome = import(&client, document).await;
        assert_eq!(outcome["created"], true);
        ids.push(outcome["workflow_id"].as_i64().unwrap());
    }
    for (id, document) in ids.iter().zip(&documents) {
        assert_eq!(&export(&client, *id).await, document);
    }
    // Importing the same document again changes nothing.
    let outcome = import(&client, &documents[0]).await;
    assert_eq!(outcome, json!({"workflow_id": ids[0], "created": false}));
    assert_eq!(export(&client, ids[0]).await, documents[0]);

    // The imported leave request works with the synced directory.
    let submit =
        client.get(&format!("{W}/{}/init_state", ids[0]), "webb").await.data()["transition"][0]["transition_id"]
            .as_i64()
            .unwrap();
    let ticket = client
        .create_ticket(
            "webb",
            json!({"workflow_id": ids[0], "transition_id": submit, "title": "t", "reason": "r"}),
        )
        .await;
    for (handler, next) in [("admin", "人事审批中"), ("hr", "结束")] {
        let actions = client
            .get(&format!("/api/v1.0/tickets/{ticket}/transitions"), handler)
            .await;
        let agree = actions.data()["value"][0]["transition_id"].as_i64().unwrap();
        client.handle(ticket, handler, agree).await;
        let detail = client.get(&format!("/api/v1.0/tickets/{ticket}"), "webb").await;
        assert_eq!(detail.data()["value"]["state_info"]["name"], next);
    }
}

async fn import_updates_a_workflow_in_place(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let mut document = leave_document();
    // HR approval moves to the admin office; the lead can no longer reject; a day count
    // decides whether a long leave goes to the office.
    document["states"][2] = state("行政审批中", 3, 0, (3, "行政部"), approval_fields());
    document["states"][0]["state_field_str"]["days"] = json!(3);
    // Fields and states are listed by order_id.
    document["custom_fields"]
        .as_array_mut()
        .unwrap()
        .insert(2, field("days", "天数", 10, 40, ""));
    document["transitions"] = json!([
        transition("提交", "发起人-编辑中", "tl审批中", 1),
        transition("同意", "tl审批中", "行政审批中", 1),
        transition("同意", "行政审批中", "结束", 1),
        transition("拒绝", "行政审批中", "发起人-编辑中", 2),
    ]);
    document["transitions"][1]["condition_expression"] = json!([{"expression": "{days} <= 1", "target_state": "结束"}]);
    document["workflow"]["limit_expression"] = json!({"period": 24, "count": 5, "allow_depts": ["loonflow", "行政部"]});
    document["workflow"]["workflow_admin"] = json!(["lilian"]);
    let outcome = import(&client, &document).await;
    assert_eq!(outcome, json!({"workflow_id": 1, "created": false}));
    assert_eq!(export(&client, 1).await, document);

    // Parts matched by name keep their ids; the rest are new or gone.
    assert_eq!(
        client.get(&format!("{W}/1/states/2"), "admin").await.data()["name"],
        "tl审批中"
    );
    client
        .get(&format!("{W}/1/states/3"), "admin")
        .await
        .assert_error("state 3 is not existed or has been deleted");
    let transitions = client.get(&format!("{W}/1/transitions"), "admin").await;
    let ids: Vec<i64> = transitions.data()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(&ids[..2], [1, 2]);
    assert!(ids.len() == 4 && ids[2] > 18 && ids[3] > 18, "{ids:?}");
    let detail = client.get(&format!("{W}/1"), "admin").await;
    let limits: Value = serde_json::from_str(detail.data()["limit_expression"].as_str().unwrap()).unwrap();
    assert_eq!(limits["allow_depts"], "1,3", "stored as ids");
    assert_eq!(detail.data()["workflow_admin"], "lilian");

    // The conditions work: one day goes straight to the end.
    let ticket = client
        .create_ticket(
            "webb",
            json!({"workflow_id": 1, "transition_id": 1, "title": "t", "reason": "r", "days": 1}),
        )
        .await;
    client.handle(ticket, "admin", 2).await;
    let detail = client.get(&format!("/api/v1.0/tickets/{ticket}"), "webb").await;
    assert_eq!(detail.data()["value"]["state_info"]["name"], "结束");

    // A hook token exported masked is kept when the document comes back.
    let vpn = export(&client, 2).await;
    assert_eq!(import(&client, &vpn).await["created"], false);
    let stored = server.db.text("SELECT participant FROM states WHERE id = 7").await;
    assert!(stored.contains(r#""hook_token":"xxxx""#), "{stored}");
}

async fn bad_documents_are_refused_and_change_nothing(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let ticket = client
        .create_ticket(
            "webb",
            json!({"workflow_id": 1, "transition_id": 1, "title": "t", "reason": "r"}),
        )
        .await;
    let edit = |change: fn(&mut Value)| {
        let mut document = leave_document();
        change(&mut document);
        document
    };
    let cases: Vec<(Value, String)> = vec![
        (
            edit(|d| d["format"] = json!("grebe.workflow/2")),
            "format must be \"grebe.workflow/1\", got \"grebe.workflow/2\"".into(),
        ),
        (edit(|d| d["extra"] = json!(1)), "unknown field `extra`".into()),
        (
            edit(|d| d["states"][0]["colour"] = json!("red")),
            "unknown field `colour`".into(),
        ),
        (
            edit(|d| d["transitions"][0]["timer"] = json!("soon")),
            "invalid type: string \"soon\"".into(),
        ),
        (
            edit(|d| {
                d.as_object_mut().unwrap().remove("format");
            }),
            "missing field `format`".into(),
        ),
        (
            edit(|d| d["states"][1]["name"] = json!("结束")),
            "state \"结束\": another state of the document has this name".into(),
        ),
        (
            edit(|d| d["transitions"][0]["destination_state"] = json!("ghost")),
            "transition \"提交\" of state \"发起人-编辑中\": there is no state named \"ghost\" in the document".into(),
        ),
        (
            edit(|d| d["states"][1]["type_id"] = json!(1)),
            "workflow \"请假流程\": it has 2 start states (发起人-编辑中, tl审批中); it needs exactly one".into(),
        ),
        (
            edit(|d| d["states"][3]["type_id"] = json!(0)),
            "workflow \"请假流程\": it has no end state (type_id 2)".into(),
        ),
        (
            edit(|d| d["states"][2]["participant"] = json!("财务部")),
            "state \"人事审批中\": there is no department named \"财务部\"".into(),
        ),
        (
            edit(|d| d["states"][2]["participant"] = json!({"hook_url": "x"})),
            "participant must be a string (an object for hooks)".into(),
        ),
        (
            edit(|d| d["states"][1]["sub_workflow"] = json!("nothing")),
            "there is no workflow named \"nothing\"".into(),
        ),
        (
            edit(|d| d["workflow"]["notices"] = json!(["nobody"])),
            "there is no notice named \"nobody\"".into(),
        ),
        (
            edit(|d| d["workflow"]["limit_expression"] = json!({"allow_roles": ["nobody"]})),
            "limit_expression: there is no role named \"nobody\"".into(),
        ),
        (
            edit(|d| {
                d["transitions"][0]["condition_expression"] = json!([{"expression": "{x} >", "target_state": "结束"}])
            }),
            "condition_expression: entry 0 `{x} >` is invalid".into(),
        ),
        (
            edit(|d| d["states"][0]["state_field_str"]["ghost"] = json!(2)),
            "state_field_str names ghost, which is no field of the workflow".into(),
        ),
        (
            edit(|d| d["custom_fields"][2]["field_type_id"] = json!(0)),
            "field \"reason\": field_type_id must be one of".into(),
        ),
        (
            edit(|d| d["workflow"]["name"] = json!("")),
            "workflow \"\": name is needed".into(),
        ),
        // Leaving out what tickets use.
        (
            edit(|d| {
                d["states"].as_array_mut().unwrap().remove(1);
                d["transitions"] = json!([]);
            }),
            format!("state \"tl审批中\": the document leaves it out, but tickets {ticket} are in it"),
        ),
        (
            edit(|d| {
                d["custom_fields"].as_array_mut().unwrap().remove(2);
                for state in d["states"].as_array_mut().unwrap() {
                    state["state_field_str"].as_object_mut().unwrap().remove("reason");
                }
            }),
            format!("field \"reason\": the document leaves it out, but tickets {ticket} hold values of it"),
        ),
        (
            edit(|d| d["custom_fields"][2]["field_type_id"] = json!(5)),
            format!(
                "field \"reason\": the document changes its field_type_id from 55 to 5, but tickets {ticket} hold \
                 values of it"
            ),
        ),
    ];
    for (document, needle) in &cases {
        client
            .post(&format!("{W}/import"), "admin", document.clone())
            .await
            .assert_error(needle);
    }
    // Several problems are reported together.
    let many = edit(|d| {
        d["states"][2]["participant"] = json!("财务部");
        d["transitions"][0]["source_state"] = json!("ghost");
    });
    let answer = client.post(&format!("{W}/import"), "admin", many).await;
    answer.assert_error("there is no department named \"财务部\"");
    answer.assert_error("there is no state named \"ghost\"");
    // An ambiguous department name cannot be resolved.
    client
        .post("/api/v1.0/accounts/depts", "admin", json!({"name": "人事部"}))
        .await
        .data();
    client
        .post(&format!("{W}/import"), "admin", leave_document())
        .await
        .assert_error("the department name \"人事部\" is ambiguous: 2 of them have it");

    assert_eq!(export(&client, 1).await, leave_document(), "nothing changed");
    assert_eq!(client.get(W, "admin").await.data()["total"], 3, "nothing created");

    // Rights: updating needs the right to manage the workflow, creating a workflow admin.
    let mut renamed = leave_document();
    renamed["workflow"]["name"] = json!("webb's");
    client
        .post(&format!("{W}/import"), "webb", renamed)
        .await
        .assert_error("webb is neither a super admin (is_admin) nor a workflow admin");
    client
        .post(&format!("{W}/import"), "webb", leave_document())
        .await
        .assert_error("webb may not manage workflow 1");
}

async fn documents_from_the_command_line(backend: Backend) {
    let server = Server::start(backend).await;
    let url = server.db.url.as_str();
    let exported = grebe(&["workflow", "export", "1", "--database-url", url]).json();
    assert_eq!(exported, export(&server.client(), 1).await);

    let mut copy = exported.clone();
    copy["workflow"]["name"] = json!("请假流程-副本");
    let file = server.db.path("copy.json");
    std::fs::write(&file, serde_json::to_string_pretty(&copy).unwrap()).unwrap();
    let file = file.to_str().unwrap();
    let outcome = grebe(&["workflow", "import", file, "--database-url", url]).json();
    assert_eq!(outcome, json!({"workflow_id": 4, "created": true}));
    assert_eq!(grebe(&["workflow", "export", "4", "--database-url", url]).json(), copy);
    let again = grebe(&["workflow", "import", file, "--database-url", url]).json();
    assert_eq!(again, json!({"workflow_id": 4, "created": false}));
    // The CLI has no app: the demo app is not given the new workflow.
    server
        .client()
        .get(&format!("{W}/4"), "admin")
        .await
        .assert_error("APP:ops have no permission to manage workflow 4");

    for (args, needle) in [
        (
            vec!["workflow", "export", "1", "--username", "webb"],
            "webb may not manage workflow 1",
        ),
        (
            vec!["workflow", "export", "99"],
            "workflow 99 is not existed or has been deleted",
        ),
        (
            vec!["workflow", "export", "1", "--username", "ghost"],
            "username: ghost is not existed",
        ),
        (
            vec!["workflow", "import", file, "--username", "webb"],
            "webb may not manage workflow 4",
        ),
    ] {
        let mut args = args;
        args.extend(["--database-url", url]);
        let run = grebe(&args);
        assert!(!run.success, "{args:?}");
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
}
