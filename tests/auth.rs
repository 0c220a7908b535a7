//! Loonflow's signed headers: every way a signature can be wrong, and per-app scoping.

use reqwest::Method;

use crate::support::client::{now, sign};
use crate::support::server::{DEMO_APP, DEMO_TOKEN};
use crate::support::{Answer, Backend, Server, on_both_backends};

on_both_backends!(
    every_bad_signature_is_refused_with_the_reason,
    timestamps_inside_the_window_are_accepted,
    apps_see_only_their_permitted_workflows,
    an_app_named_loonflow_gets_no_special_rights,
);

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn assert_refused(answer: &Answer, reason: &str) {
    assert_eq!(answer.status, 200);
    assert!(
        answer.content_type.starts_with("application/json"),
        "content type {}",
        answer.content_type
    );
    assert_eq!(answer.code(), -1, "{:?}", answer.body);
    assert_eq!(answer.body["data"], serde_json::json!([]));
    assert_eq!(answer.msg(), format!("permission check fail：{reason}"));
}

async fn every_bad_signature_is_refused_with_the_reason(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let ts = now().to_string();
    let good = sign(&ts, DEMO_TOKEN);
    let call = |pairs: Vec<(String, String)>| client.send(Method::GET, "/api/v1.0/workflows", pairs, None);

    let answer = call(headers(&[
        ("timestamp", &ts),
        ("signature", &good),
        ("username", "admin"),
    ]))
    .await;
    assert_refused(&answer, "appname is not provide in request header");

    let answer = call(headers(&[("appname", ""), ("timestamp", &ts), ("signature", &good)])).await;
    assert_refused(&answer, "appname is not provide in request header");

    let answer = call(headers(&[("appname", "crm"), ("timestamp", &ts), ("signature", &good)])).await;
    assert_refused(
        &answer,
        "Appname:crm in request header is unauthorized, please contact administrator to add authorization for appname:crm in loonflow",
    );

    let answer = call(headers(&[("appname", DEMO_APP), ("timestamp", &ts)])).await;
    assert_refused(&answer, "signature is not provide in request header");

    let answer = call(headers(&[("appname", DEMO_APP), ("signature", &good)])).await;
    assert_refused(&answer, "timestamp is not provide in request header");

    let wrong = sign(&ts, "another-token");
    let answer = call(headers(&[
        ("appname", DEMO_APP),
        ("timestamp", &ts),
        ("signature", &wrong),
    ]))
    .await;
    assert_refused(&answer, "The signature you provide in request header is invalid");

    // The signature is case-sensitive lowercase hex, as in loonflow.
    let upper = good.to_uppercase();
    let answer = call(headers(&[
        ("appname", DEMO_APP),
        ("timestamp", &ts),
        ("signature", &upper),
    ]))
    .await;
    assert_refused(&answer, "The signature you provide in request header is invalid");

    for skew in [-121, 121, -3600] {
        let ts = (now() + skew).to_string();
        let signature = sign(&ts, DEMO_TOKEN);
        let answer = call(headers(&[
            ("appname", DEMO_APP),
            ("timestamp", &ts),
            ("signature", &signature),
        ]))
        .await;
        assert_refused(
            &answer,
            "The signature you provide in request header is expire, please ensure in 120s",
        );
    }

    let text_ts = "yesterday";
    let signature = sign(text_ts, DEMO_TOKEN);
    let answer = call(headers(&[
        ("appname", DEMO_APP),
        ("timestamp", text_ts),
        ("signature", &signature),
    ]))
    .await;
    assert_refused(
        &answer,
        "timestamp in request header must be unix time in whole seconds, got \"yesterday\"",
    );
}

async fn timestamps_inside_the_window_are_accepted(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    for skew in [-100, 0, 100] {
        let ts = (now() + skew).to_string();
        let signature = sign(&ts, DEMO_TOKEN);
        let answer = client
            .send(
                Method::GET,
                "/api/v1.0/workflows",
                headers(&[("appname", DEMO_APP), ("timestamp", &ts), ("signature", &signature)]),
                None,
            )
            .await;
        assert_eq!(answer.data()["total"], 3, "skew {skew}");
    }
}

async fn apps_see_only_their_permitted_workflows(backend: Backend) {
    let server = Server::start(backend).await;
    server
        .db
        .execute(
            "INSERT INTO app_tokens (app_name, token, workflow_ids, ticket_sn_prefix, creator, gmt_created, gmt_modified) \
             VALUES ('cmdb', 'cmdb-token', '2', 'cmdb', 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .await;
    let cmdb = server.client_for("cmdb", "cmdb-token");

    let listed = cmdb.get("/api/v1.0/workflows", "admin").await;
    let names: Vec<&str> = listed.data()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["vpn申请"]);
    assert_eq!(listed.data()["total"], 1);

    assert_eq!(
        cmdb.get("/api/v1.0/workflows/2/init_state", "admin").await.data()["id"],
        5
    );
    cmdb.get("/api/v1.0/workflows/1/init_state", "admin")
        .await
        .assert_error("APP:cmdb have no permission to get this workflow info");
    cmdb.get("/api/v1.0/workflows/1/states", "admin")
        .await
        .assert_error("have no permission");
    cmdb.get("/api/v1.0/workflows/states/2", "admin")
        .await
        .assert_error("have no permission");
    assert_eq!(cmdb.get("/api/v1.0/workflows/states/6", "admin").await.data()["id"], 6);

    // The demo app still sees all three.
    assert_eq!(
        server.client().get("/api/v1.0/workflows", "admin").await.data()["total"],
        3
    );
}

async fn an_app_named_loonflow_gets_no_special_rights(backend: Backend) {
    let server = Server::start(backend).await;
    server
        .db
        .execute(
            "INSERT INTO app_tokens (app_name, token, workflow_ids, ticket_sn_prefix, creator, gmt_created, gmt_modified) \
             VALUES ('loonflow', 'lf-token', '', 'loonflow', 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .await;
    let loonflow = server.client_for("loonflow", "lf-token");
    let listed = loonflow.get("/api/v1.0/workflows", "admin").await;
    assert_eq!(listed.data()["total"], 0);
    assert_eq!(listed.data()["value"], serde_json::json!([]));
    loonflow
        .get("/api/v1.0/workflows/1/init_state", "admin")
        .await
        .assert_error("have no permission");
}
