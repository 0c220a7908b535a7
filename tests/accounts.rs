//! The directory and app tokens through the admin endpoints (users, roles and members,
//! departments, app tokens), the directory sync over HTTP and from the command line.

use serde_json::{Value, json};

use crate::support::cli::grebe;
use crate::support::{Answer, Backend, Server, keys, on_both_backends};

on_both_backends!(
    users_are_created_listed_changed_and_deleted,
    deactivating_a_current_handler_is_allowed_and_reported,
    roles_and_their_members,
    departments_with_leaders_and_approvers,
    app_tokens_show_their_token_once,
    account_endpoints_need_a_super_admin,
    directory_sync_twice_changes_nothing_the_second_time,
    directory_sync_deactivates_missing_users_and_reports_current_handlers,
    bad_directory_documents_are_refused_and_change_nothing,
    directory_sync_from_the_command_line,
);

const A: &str = "/api/v1.0/accounts";

fn names(answer: &Answer, key: &str) -> Vec<String> {
    answer.data()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[key].as_str().unwrap().to_string())
        .collect()
}

async fn users_are_created_listed_changed_and_deleted(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let created = client
        .post(
            &format!("{A}/users"),
            "admin",
            json!({"username": "newbie", "alias": "新人", "email": "n@x", "phone": "123", "dept_id": 4,
                   "password": "ignored", "is_active": 1, "is_admin": 0, "is_workflow_admin": true, "external_id": "E1"}),
        )
        .await;
    let id = created.data()["user_id"].as_i64().unwrap();
    let user = client.get(&format!("{A}/users/{id}"), "admin").await;
    let user = user.data();
    assert_eq!(
        keys(user),
        [
            "id",
            "last_login",
            "username",
            "alias",
            "email",
            "phone",
            "dept_info",
            "is_active",
            "is_admin",
            "is_workflow_admin",
            "creator_info",
            "gmt_created",
            "gmt_modified",
            "is_deleted",
            "external_id"
        ]
    );
    assert_eq!(user["dept_info"], json!({"dept_id": 4, "dept_name": "技术部"}));
    assert_eq!(
        user["creator_info"],
        json!({"creator_id": 1, "creator_alias": "超级管理员", "creator_username": "admin"})
    );
    assert_eq!(
        (
            user["is_active"].clone(),
            user["is_admin"].clone(),
            user["is_workflow_admin"].clone()
        ),
        (json!(true), json!(false), json!(true))
    );
    assert_eq!(user["last_login"], Value::Null);
    assert_eq!(user["external_id"], "E1");

    let listed = client
        .get(&format!("{A}/users?search_value=新&per_page=5"), "admin")
        .await;
    assert_eq!(names(&listed, "username"), ["newbie"]);
    assert_eq!(listed.data()["per_page"], 5);
    assert_eq!(client.get(&format!("{A}/users"), "admin").await.data()["total"], 11);

    for (body, needle) in [
        (json!({"username": "newbie"}), "username \"newbie\" is taken by user"),
        (json!({"username": "two words"}), "may not hold commas or spaces"),
        (json!({"username": "a,b"}), "may not hold commas or spaces"),
        (json!({"username": ""}), "username is needed"),
        (json!({"username": "x", "dept_id": 99}), "dept_id 99 is no department"),
        (
            json!({"username": "x", "external_id": "E1"}),
            "external_id \"E1\" is taken by user",
        ),
        (
            json!({"username": "x", "phone": "1".repeat(40)}),
            "phone is longer than 32 characters",
        ),
        (
            json!({"username": "x", "is_admin": 2}),
            "is_admin must be true, false, 1 or 0",
        ),
        (json!({"username": "x", "role": 1}), "Wrong key 'role'"),
    ] {
        client
            .post(&format!("{A}/users"), "admin", body)
            .await
            .assert_error(needle);
    }
    // MariaDB compares usernames ignoring case, SQLite does not; neither answers with a 500.
    let upper = client
        .post(&format!("{A}/users"), "admin", json!({"username": "NEWBIE"}))
        .await;
    match backend {
        Backend::MariaDb => upper.assert_error("username \"NEWBIE\" or its external_id is taken already"),
        Backend::Sqlite => assert!(upper.data()["user_id"].is_i64()),
    }
    // PATCH changes what is sent.
    client
        .patch(
            &format!("{A}/users/{id}"),
            "admin",
            json!({"alias": "老手", "dept_id": 0}),
        )
        .await
        .data();
    let user = client.get(&format!("{A}/users/{id}"), "admin").await;
    assert_eq!(user.data()["alias"], "老手");
    assert_eq!(user.data()["email"], "n@x");
    assert_eq!(user.data()["dept_info"], json!({"dept_id": 0, "dept_name": ""}));

    let deleted = client.delete(&format!("{A}/users/{id}"), "admin").await;
    assert_eq!(deleted.msg(), "");
    client
        .get(&format!("{A}/users/{id}"), "admin")
        .await
        .assert_error(&format!("user {id} is not existed or has been deleted"));
    client
        .post(&format!("{A}/users"), "admin", json!({"username": "newbie"}))
        .await
        .assert_error(&format!("username \"newbie\" is taken by deleted user {id}"));
    client
        .patch(&format!("{A}/users/{id}"), "admin", json!({"alias": "x"}))
        .await
        .assert_error("is not existed or has been deleted");
}

async fn deactivating_a_current_handler_is_allowed_and_reported(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let leave = json!({"workflow_id": 1, "transition_id": 1, "title": "t", "reason": "r"});
    let ticket = client.create_ticket("webb", leave.clone()).await;
    client.handle(ticket, "admin", 2).await;
    // hr (user 4) handles it now; deactivating hr is allowed, and says so.
    let answer = client
        .patch(&format!("{A}/users/4"), "admin", json!({"is_active": false}))
        .await;
    assert_eq!(answer.code(), 0);
    assert_eq!(
        answer.msg(),
        format!("user hr is no longer active but still handles tickets {ticket}; deliver them to someone else")
    );
    let detail = client.get(&format!("/api/v1.0/tickets/{ticket}"), "admin").await;
    assert_eq!(detail.data()["value"]["participant"], "hr", "the ticket stays with hr");
    // A new ticket reaching HR finds nobody active there.
    let second = client.create_ticket("webb", leave).await;
    client.handle(second, "admin", 2).await;
    let detail = client.get(&format!("/api/v1.0/tickets/{second}"), "admin").await;
    assert_eq!(detail.data()["value"]["participant"], "");
    // Changing something else of an inactive user reports nothing.
    let answer = client
        .patch(&format!("{A}/users/4"), "admin", json!({"alias": "HR"}))
        .await;
    assert_eq!(answer.msg(), "");
    // Deleting a current handler is reported the same way.
    let answer = client.delete(&format!("{A}/users/4"), "admin").await;
    assert_eq!(answer.code(), 0);
    assert!(
        answer.msg().contains(&format!("still handles tickets {ticket}")),
        "{}",
        answer.msg()
    );
}

async fn roles_and_their_members(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let created = client
        .post(
            &format!("{A}/roles"),
            "admin",
            json!({"name": "审计", "description": "auditors"}),
        )
        .await;
    assert_eq!(created.data(), &json!({}));
    let role = created.body["msg"]["role_id"]
        .as_i64()
        .expect("loonflow puts the id in msg");
    let shown = client.get(&format!("{A}/roles/{role}"), "admin").await;
    assert_eq!(
        keys(shown.data()),
        [
            "id",
            "name",
            "description",
            "label",
            "creator",
            "gmt_created",
            "gmt_modified",
            "is_deleted",
            "creator_info",
            "external_id"
        ]
    );
    assert_eq!(shown.data()["label"], "{}");
    client
        .post(&format!("{A}/roles"), "admin", json!({"description": "no name"}))
        .await
        .assert_error("role \"\": name is needed");

    for user in [3, 6] {
        client
            .post(&format!("{A}/roles/{role}/users"), "admin", json!({"user_id": user}))
            .await
            .data();
    }
    client
        .post(&format!("{A}/roles/{role}/users"), "admin", json!({"user_id": 3}))
        .await
        .assert_error("user has been existed in this role");
    client
        .post(&format!("{A}/roles/{role}/users"), "admin", json!({"user_id": 99}))
        .await
        .assert_error("user 99 is not existed");
    client
        .post(&format!("{A}/roles/{role}/users"), "admin", json!({"user_id": "3"}))
        .await
        .assert_error("user_id is needed and should be a user's id");
    let members = client.get(&format!("{A}/roles/{role}/users"), "admin").await;
    assert_eq!(names(&members, "username"), ["ops", "lilian"]);
    let members = client
        .get(&format!("{A}/roles/{role}/users?search_value=李"), "admin")
        .await;
    assert_eq!(names(&members, "username"), ["lilian"]);
    let of_ops = client.get(&format!("{A}/users/3/roles"), "admin").await;
    assert_eq!(names(&of_ops, "name"), ["运维人员", "审计"]);
    assert_eq!(
        keys(&of_ops.data()["value"][0]),
        ["id", "name", "description", "label", "creator", "gmt_created"]
    );

    // Leaving one role keeps the others (B23).
    client
        .delete(&format!("{A}/roles/{role}/users/3"), "admin")
        .await
        .data();
    let of_ops = client.get(&format!("{A}/users/3/roles"), "admin").await;
    assert_eq!(names(&of_ops, "name"), ["运维人员"]);
    client
        .delete(&format!("{A}/roles/{role}/users/3"), "admin")
        .await
        .assert_error("record is not existed or has been deleted");

    client
        .patch(
            &format!("{A}/roles/{role}"),
            "admin",
            json!({"name": "内审", "label": {"level": 2}}),
        )
        .await
        .data();
    let listed = client.get(&format!("{A}/roles?search_value=内"), "admin").await;
    assert_eq!(names(&listed, "name"), ["内审"]);
    assert_eq!(listed.data()["value"][0]["label"], r#"{"level":2}"#);
    assert_eq!(listed.data()["value"][0]["description"], "auditors");
    client.delete(&format!("{A}/roles/{role}"), "admin").await.data();
    client
        .patch(&format!("{A}/roles/{role}"), "admin", json!({"name": "x"}))
        .await
        .assert_error("role record is not existed");
    assert_eq!(client.get(&format!("{A}/roles"), "admin").await.data()["total"], 1);
}

async fn departments_with_leaders_and_approvers(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    // Leader and approvers are user ids, as loonflow's form sends them.
    let created = client
        .post(
            &format!("{A}/depts"),
            "admin",
            json!({"name": "平台组", "parent_dept_id": 7, "leader": "3", "approver": "3,11", "label": "ext-9"}),
        )
        .await;
    let dept = created.body["msg"]["dept_id"].as_i64().expect("the id in msg");
    let shown = client.get(&format!("{A}/depts/{dept}"), "admin").await;
    let shown = shown.data();
    assert_eq!(
        keys(shown),
        [
            "id",
            "name",
            "parent_dept_id",
            "leader",
            "approver",
            "label",
            "creator",
            "gmt_created",
            "gmt_modified",
            "is_deleted",
            "creator_info",
            "parent_dept_info",
            "leader_info",
            "approver_info",
            "external_id"
        ]
    );
    assert_eq!(
        (shown["leader"].clone(), shown["approver"].clone()),
        (json!("ops"), json!("ops,ops2"))
    );
    assert_eq!(
        shown["parent_dept_info"],
        json!({"parent_dept_id": 7, "parent_dept_name": "运维部"})
    );
    assert_eq!(
        shown["leader_info"],
        json!({"leader_username": "ops", "leader_alias": "ops", "leader_id": 3})
    );
    assert_eq!(
        shown["approver_info"],
        json!([
            {"approver_name": "ops", "approver_alias": "ops", "approver_id": 3},
            {"approver_name": "ops2", "approver_alias": "ops2", "approver_id": 11}
        ])
    );
    // The new team's members reach it through its approvers.
    client
        .patch(&format!("{A}/users/2"), "admin", json!({"dept_id": dept}))
        .await
        .data();
    let ticket = client
        .create_ticket(
            "webb",
            json!({"workflow_id": 1, "transition_id": 1, "title": "t", "reason": "r"}),
        )
        .await;
    let detail = client.get(&format!("/api/v1.0/tickets/{ticket}"), "admin").await;
    assert_eq!(detail.data()["value"]["participant"], "ops,ops2");

    for (body, needle) in [
        (
            json!({"name": "x", "leader": "99"}),
            "user id 99 is not existed or has been deleted",
        ),
        (
            json!({"name": "x", "approver": "ops"}),
            "approver must hold user ids separated by commas",
        ),
        (
            json!({"name": "x", "parent_dept_id": 99}),
            "parent_dept_id 99 is no department",
        ),
        (json!({"leader": "3"}), "department \"\": name is needed"),
    ] {
        client
            .post(&format!("{A}/depts"), "admin", body)
            .await
            .assert_error(needle);
    }
    // A department cannot move below itself.
    client
        .patch(&format!("{A}/depts/4"), "admin", json!({"parent_dept_id": dept}))
        .await
        .assert_error("parent_dept_id");
    client
        .patch(&format!("{A}/depts/{dept}"), "admin", json!({"parent_dept_id": dept}))
        .await
        .assert_error("is the department itself or one of its sub-departments");
    client
        .patch(
            &format!("{A}/depts/{dept}"),
            "admin",
            json!({"approver": "", "name": "平台"}),
        )
        .await
        .data();
    let listed = client.get(&format!("{A}/depts?search_value=ext-9"), "admin").await;
    assert_eq!(names(&listed, "name"), ["平台"]);
    assert_eq!(listed.data()["value"][0]["approver_info"], json!([]));
    assert_eq!(listed.data()["value"][0]["leader"], "ops");
    client.delete(&format!("{A}/depts/{dept}"), "admin").await.data();
    client
        .get(&format!("{A}/depts/{dept}"), "admin")
        .await
        .assert_error("dept is not existed or has been deleted");
    assert_eq!(client.get(&format!("{A}/depts"), "admin").await.data()["total"], 7);
}

async fn app_tokens_show_their_token_once(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let created = client
        .post(
            &format!("{A}/app_token"),
            "admin",
            json!({"app_name": "oa", "workflow_ids": "1,3", "ticket_sn_prefix": "oa"}),
        )
        .await;
    let id = created.body["msg"]["app_token_id"].as_i64().expect("the id in msg");
    let token = created.data()["token"].as_str().unwrap().to_string();
    assert_eq!(created.data()["id"], id);
    let groups: Vec<usize> = token.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "UUID-shaped: {token}");

    let listed = client.get(&format!("{A}/app_token"), "admin").await;
    assert_eq!(names(&listed, "app_name"), ["ops", "oa"]);
    for item in listed.data()["value"].as_array().unwrap() {
        assert_eq!(item["token"], "***");
    }
    let shown = client.get(&format!("{A}/app_token/{id}"), "admin").await;
    assert_eq!(
        keys(shown.data()),
        [
            "id",
            "creator",
            "gmt_created",
            "gmt_modified",
            "is_deleted",
            "app_name",
            "token",
            "workflow_ids",
            "ticket_sn_prefix",
            "creator_info"
        ]
    );
    assert_eq!(shown.data()["token"], "***");
    assert_eq!(shown.data()["workflow_ids"], "1,3");

    // The new app signs with its token and sees its workflows.
    let oa = server.client_for("oa", &token);
    let workflows = oa.get("/api/v1.0/workflows", "webb").await;
    assert_eq!(names(&workflows, "name"), ["请假流程", "请假申请"]);
    let ticket = oa
        .create_ticket(
            "webb",
            json!({"workflow_id": 1, "transition_id": 1, "title": "t", "reason": "r"}),
        )
        .await;
    let detail = oa.get(&format!("/api/v1.0/tickets/{ticket}"), "webb").await;
    assert!(detail.data()["value"]["sn"].as_str().unwrap().starts_with("oa_"));

    // Changing it keeps the token.
    client
        .patch(&format!("{A}/app_token/{id}"), "admin", json!({"workflow_ids": [2]}))
        .await
        .data();
    assert_eq!(names(&oa.get("/api/v1.0/workflows", "webb").await, "name"), ["vpn申请"]);

    let taken = format!("app token {id} has this app_name already");
    for (body, needle) in [
        (
            json!({"app_name": "loonflow", "workflow_ids": "1"}),
            "the app name loonflow is reserved",
        ),
        (
            json!({"app_name": "LoonFlow", "workflow_ids": "1"}),
            "the app name loonflow is reserved",
        ),
        (json!({"app_name": "oa", "workflow_ids": "1"}), taken.as_str()),
        (json!({"app_name": "x", "workflow_ids": "1,99"}), "99 is none"),
        (json!({"app_name": "x", "workflow_ids": "one"}), "one is none"),
        (
            json!({"app_name": "x", "ticket_sn_prefix": "a b"}),
            "ticket_sn_prefix \"a b\" may hold only",
        ),
        (
            json!({"app_name": "my app"}),
            "app_name is needed and may not hold spaces",
        ),
        (json!({"app_name": "x", "token": "mine"}), "Wrong key 'token'"),
    ] {
        client
            .post(&format!("{A}/app_token"), "admin", body)
            .await
            .assert_error(needle);
    }
    client
        .patch(&format!("{A}/app_token/{id}"), "admin", json!({"app_name": "loonflow"}))
        .await
        .assert_error("the app name loonflow is reserved");
    client.delete(&format!("{A}/app_token/{id}"), "admin").await.data();
    oa.get("/api/v1.0/workflows", "webb")
        .await
        .assert_error("Appname:oa in request header is unauthorized");
    client
        .delete(&format!("{A}/app_token/{id}"), "admin")
        .await
        .assert_error("record is not exist or has been deleted");
}

async fn account_endpoints_need_a_super_admin(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    client
        .patch(&format!("{A}/users/6"), "admin", json!({"is_workflow_admin": 1}))
        .await
        .data();
    let denied = |user: &'static str| {
        let client = &client;
        async move {
            for path in [
                "/roles",
                "/roles/1",
                "/roles/1/users",
                "/users/3/roles",
                "/depts",
                "/depts/1",
                "/app_token",
                "/app_token/1",
            ] {
                client
                    .get(&format!("{A}{path}"), user)
                    .await
                    .assert_error(&format!("{user} is not a super admin (is_admin)"));
            }
            for (path, body) in [
                ("/users", json!({"username": "x"})),
                ("/roles", json!({"name": "x"})),
                ("/roles/1/users", json!({"user_id": 2})),
                ("/depts", json!({"name": "x"})),
                ("/depts", json!({"name": "x", "leader": "1"})),
                ("/app_token", json!({"app_name": "x"})),
                ("/sync", json!({})),
            ] {
                client
                    .post(&format!("{A}{path}"), user, body)
                    .await
                    .assert_error(&format!("{user} is not a super admin (is_admin)"));
            }
            for path in ["/users/3", "/roles/1", "/roles/1/users/3", "/depts/1", "/app_token/1"] {
                client
                    .delete(&format!("{A}{path}"), user)
                    .await
                    .assert_error(&format!("{user} is not a super admin (is_admin)"));
            }
        }
    };
    denied("webb").await;
    denied("lilian").await;
    client
        .get(&format!("{A}/users"), "webb")
        .await
        .assert_error("webb is neither");
    assert_eq!(client.get(&format!("{A}/users"), "lilian").await.data()["total"], 10);
    assert_eq!(
        client.get(&format!("{A}/users/3"), "lilian").await.data()["username"],
        "ops"
    );
    // Nothing was touched.
    assert_eq!(
        client.get(&format!("{A}/roles/1/users"), "admin").await.data()["total"],
        2
    );
    assert_eq!(client.get(&format!("{A}/app_token"), "admin").await.data()["total"], 1);
}

/// A directory: 总部 > 研发部 > 前端组 (listed children first), two new users and the demo's
/// `ops`, adopted by username, two roles.
fn directory() -> Value {
    json!({
        "depts": [
            {"external_id": "d-fe", "name": "前端组", "parent_external_id": "d-rd", "leader": "fe1"},
            {"external_id": "d-rd", "name": "研发部", "parent_external_id": "d-root", "leader": "rd_lead",
             "approvers": ["rd_lead", "admin"], "label": "RD"},
            {"external_id": "d-root", "name": "总部", "leader": "admin"}
        ],
        "users": [
            {"external_id": "u1", "username": "rd_lead", "alias": "研发负责人", "email": "rd@x", "dept_external_id": "d-rd"},
            {"external_id": "u2", "username": "fe1", "alias": "前端一号", "phone": "555", "dept_external_id": "d-fe"},
            {"external_id": "u3", "username": "ops", "alias": "ops", "email": "ops@1111.com", "dept_external_id": "d-rd"}
        ],
        "roles": [
            {"external_id": "r-dev", "name": "开发", "description": "developers", "members": ["fe1", "rd_lead"]},
            {"external_id": "r-duty", "name": "值班", "members": ["ops", "ops2", "ops"]}
        ]
    })
}

fn no_changes() -> Value {
    json!({
        "created": {"depts": [], "users": [], "roles": []},
        "updated": {"depts": [], "users": [], "roles": []},
        "deactivated": [],
        "current_handlers_deactivated": []
    })
}

async fn directory_sync_twice_changes_nothing_the_second_time(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let first = client.post(&format!("{A}/sync"), "admin", directory()).await;
    assert_eq!(
        first.data(),
        &json!({
            "created": {"depts": ["总部", "研发部", "前端组"], "users": ["rd_lead", "fe1"], "roles": ["开发", "值班"]},
            "updated": {"depts": [], "users": ["ops"], "roles": []},
            "deactivated": [],
            "current_handlers_deactivated": []
        })
    );
    let second = client.post(&format!("{A}/sync"), "admin", directory()).await;
    assert_eq!(second.data(), &no_changes());

    let rd = client.get(&format!("{A}/depts?search_value=研发"), "admin").await;
    let rd = &rd.data()["value"][0];
    assert_eq!(rd["parent_dept_info"]["parent_dept_name"], "总部");
    assert_eq!(
        (rd["leader"].clone(), rd["approver"].clone()),
        (json!("rd_lead"), json!("rd_lead,admin"))
    );
    assert_eq!(rd["external_id"], "d-rd");
    let fe1 = client.get(&format!("{A}/users?search_value=fe1"), "admin").await;
    assert_eq!(fe1.data()["value"][0]["dept_info"]["dept_name"], "前端组");
    assert_eq!(fe1.data()["value"][0]["is_active"], true);
    let ops = client.get(&format!("{A}/users/3"), "admin").await;
    assert_eq!(ops.data()["external_id"], "u3");
    assert_eq!(ops.data()["dept_info"]["dept_name"], "研发部");
    let roles = client.get(&format!("{A}/roles?search_value=值班"), "admin").await;
    let duty = roles.data()["value"][0]["id"].as_i64().unwrap();
    let members = client.get(&format!("{A}/roles/{duty}/users"), "admin").await;
    assert_eq!(names(&members, "username"), ["ops", "ops2"]);

    // A changed entry is updated, and only it; membership changes update the role.
    let mut changed = directory();
    changed["users"][1]["alias"] = json!("前端1号");
    changed["roles"][1]["members"] = json!(["ops"]);
    changed["depts"][2]["name"] = json!("集团");
    let third = client.post(&format!("{A}/sync"), "admin", changed.clone()).await;
    assert_eq!(
        third.data(),
        &json!({
            "created": {"depts": [], "users": [], "roles": []},
            "updated": {"depts": ["集团"], "users": ["fe1"], "roles": ["值班"]},
            "deactivated": [],
            "current_handlers_deactivated": []
        })
    );
    let members = client.get(&format!("{A}/roles/{duty}/users"), "admin").await;
    assert_eq!(names(&members, "username"), ["ops"]);
    assert_eq!(
        client.post(&format!("{A}/sync"), "admin", changed).await.data(),
        &no_changes()
    );
    // Users and departments the document does not name are left alone.
    assert_eq!(client.get(&format!("{A}/users"), "admin").await.data()["total"], 12);
    assert_eq!(client.get(&format!("{A}/depts"), "admin").await.data()["total"], 10);

    // A synced row deleted through the API comes back with the next sync.
    let fe = client
        .get(&format!("{A}/depts?search_value=前端"), "admin")
        .await
        .data()["value"][0]["id"]
        .as_i64()
        .unwrap();
    client.delete(&format!("{A}/depts/{fe}"), "admin").await.data();
    let back = client.post(&format!("{A}/sync"), "admin", directory()).await;
    assert_eq!(back.data()["updated"]["depts"], json!(["总部", "前端组"]));
    assert_eq!(
        client.get(&format!("{A}/depts/{fe}"), "admin").await.data()["name"],
        "前端组"
    );
}

async fn directory_sync_deactivates_missing_users_and_reports_current_handlers(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let team = json!({
        "depts": [{"external_id": "t", "name": "小组", "leader": "lead"}],
        "users": [
            {"external_id": "lead", "username": "lead", "dept_external_id": "t"},
            {"external_id": "member", "username": "member", "dept_external_id": "t"},
            {"external_id": "intern", "username": "intern", "dept_external_id": "t"}
        ]
    });
    client.post(&format!("{A}/sync"), "admin", team.clone()).await.data();
    // member's request waits for the team's leader.
    let ticket = client
        .create_ticket(
            "member",
            json!({"workflow_id": 1, "transition_id": 1, "title": "t", "reason": "r"}),
        )
        .await;
    let detail = client.get(&format!("/api/v1.0/tickets/{ticket}"), "admin").await;
    assert_eq!(detail.data()["value"]["participant"], "lead");

    // Without deactivate_missing, leaving users out changes nothing.
    let mut smaller = team.clone();
    smaller["users"] = json!([{"external_id": "member", "username": "member", "dept_external_id": "t"}]);
    assert_eq!(
        client.post(&format!("{A}/sync"), "admin", smaller.clone()).await.data(),
        &no_changes()
    );
    smaller["deactivate_missing"] = json!(true);
    let report = client.post(&format!("{A}/sync"), "admin", smaller.clone()).await;
    assert_eq!(report.data()["deactivated"], json!(["lead", "intern"]));
    assert_eq!(
        report.data()["current_handlers_deactivated"],
        json!([{"username": "lead", "ticket_ids": [ticket]}])
    );
    assert_eq!(
        client.post(&format!("{A}/sync"), "admin", smaller).await.data(),
        &no_changes()
    );
    // Users without an external id (the demo's) are never deactivated by a sync.
    let admin = client.get(&format!("{A}/users/1"), "admin").await;
    assert_eq!(admin.data()["is_active"], true);
    let lead = client.get(&format!("{A}/users?search_value=lead"), "admin").await;
    assert_eq!(lead.data()["value"][0]["is_active"], false);

    // Listing a user as inactive deactivates them too; listing them again brings them back.
    let mut inactive = team.clone();
    inactive["users"][1]["is_active"] = json!(false);
    let report = client.post(&format!("{A}/sync"), "admin", inactive).await;
    assert_eq!(report.data()["deactivated"], json!(["member"]));
    assert_eq!(report.data()["updated"]["users"], json!(["lead", "intern"]));
    let report = client.post(&format!("{A}/sync"), "admin", team).await;
    assert_eq!(report.data()["updated"]["users"], json!(["member"]));
    assert_eq!(report.data()["deactivated"], json!([]));
}

async fn bad_directory_documents_are_refused_and_change_nothing(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    client.post(&format!("{A}/sync"), "admin", directory()).await.data();
    let users_before = client.get(&format!("{A}/users"), "admin").await.data()["total"].clone();
    let edit = |change: fn(&mut Value)| {
        let mut document = directory();
        change(&mut document);
        document
    };
    for (document, needle) in [
        (json!({"users": [], "groups": []}), "unknown field `groups`"),
        (json!({"users": [{"username": "x"}]}), "missing field `external_id`"),
        (
            edit(|d| d["users"][0]["external_id"] = json!(" ")),
            "every user needs an external_id",
        ),
        (
            edit(|d| d["users"][1]["external_id"] = json!("u1")),
            "user external_id \"u1\" is listed twice",
        ),
        (
            edit(|d| d["users"][1]["username"] = json!("rd_lead")),
            "username \"rd_lead\" is listed twice",
        ),
        (
            edit(|d| d["depts"][2]["parent_external_id"] = json!("d-fe")),
            "departments d-fe, d-rd, d-root form a loop",
        ),
        (
            edit(|d| d["depts"][0]["parent_external_id"] = json!("nowhere")),
            "department \"d-fe\": parent_external_id \"nowhere\" is no department",
        ),
        (
            edit(|d| d["users"][0]["dept_external_id"] = json!("nowhere")),
            "user \"u1\": dept_external_id \"nowhere\" is no department",
        ),
        (
            edit(|d| d["depts"][1]["approvers"] = json!(["ghost"])),
            "department \"d-rd\": leader and approver name no user ghost",
        ),
        (
            edit(|d| d["roles"][0]["members"] = json!(["fe1", "ghost"])),
            "role \"r-dev\": members names no user ghost",
        ),
        (
            edit(|d| d["roles"][0]["name"] = json!("")),
            "role \"r-dev\": name is needed",
        ),
        (
            edit(|d| d["users"][0]["username"] = json!("a b")),
            "may not hold commas or spaces",
        ),
        (
            edit(|d| {
                d["users"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"external_id": "u9", "username": "fe1"}))
            }),
            "username \"fe1\" is listed twice",
        ),
        (
            edit(|d| d["users"][2]["external_id"] = json!("u4")),
            "user \"u4\": username \"ops\" is taken by user 3",
        ),
    ] {
        let mut changed = document.clone();
        changed["deactivate_missing"] = json!(true);
        client
            .post(&format!("{A}/sync"), "admin", changed)
            .await
            .assert_error(needle);
    }
    assert_eq!(
        client.get(&format!("{A}/users"), "admin").await.data()["total"],
        users_before
    );
    assert_eq!(
        client.post(&format!("{A}/sync"), "admin", directory()).await.data(),
        &no_changes()
    );
}

async fn directory_sync_from_the_command_line(backend: Backend) {
    let server = Server::start(backend).await;
    let file = server.db.path("directory.json");
    std::fs::write(&file, directory().to_string()).unwrap();
    let file = file.to_str().unwrap();
    let url = server.db.url.as_str();
    let first = grebe(&["directory", "sync", file, "--database-url", url]).json();
    assert_eq!(first["created"]["users"], json!(["rd_lead", "fe1"]));
    assert_eq!(
        grebe(&["directory", "sync", file, "--database-url", url]).json(),
        no_changes()
    );
    // The server sees what the command wrote.
    let client = server.client();
    assert_eq!(client.get(&format!("{A}/users"), "admin").await.data()["total"], 12);

    let refused = grebe(&["directory", "sync", file, "--database-url", url, "--username", "webb"]);
    assert!(!refused.success);
    assert!(
        refused.stderr.contains("webb is not a super admin (is_admin)"),
        "{}",
        refused.stderr
    );
    let missing = grebe(&["directory", "sync", "/nonexistent.json", "--database-url", url]);
    assert!(!missing.success);
    assert!(
        missing.stderr.contains("cannot read /nonexistent.json"),
        "{}",
        missing.stderr
    );
    std::fs::write(server.db.path("bad.json"), "{\"users\": 3}").unwrap();
    let bad = grebe(&[
        "directory",
        "sync",
        server.db.path("bad.json").to_str().unwrap(),
        "--database-url",
        url,
    ]);
    assert!(!bad.success);
    assert!(
        bad.stderr.contains("bad.json is not a valid document"),
        "{}",
        bad.stderr
    );
    // The demo database has its super admin already.
    let bootstrap = grebe(&["bootstrap", "--database-url", url, "--app", "new"]);
    assert!(!bootstrap.success);
    assert!(
        bootstrap.stderr.contains("has a super admin already (admin)"),
        "{}",
        bootstrap.stderr
    );
}
