//! The load generator `grebe-bench`, through its library, against a real server: a tiny
//! lifecycle run and a tiny list run, end to end.

use grebe_bench::{Budget, Settings, Target, Users};
use serde_json::json;

use crate::support::server::{DEMO_APP, DEMO_TOKEN};
use crate::support::{Backend, Server, on_both_backends};

on_both_backends!(
    a_tiny_lifecycle_run_brings_every_ticket_to_its_end,
    a_tiny_list_run_seeds_work_for_several_users_and_measures_every_category,
);

fn settings(server: &Server, budget: Budget) -> Settings {
    Settings {
        target: Target {
            base_url: server.base_url.clone(),
            app: DEMO_APP.into(),
            token: DEMO_TOKEN.into(),
        },
        workflow: "请假流程".into(),
        users: Users::new("webb", Default::default()).expect("a creator"),
        budget,
        concurrency: 2,
    }
}

async fn a_tiny_lifecycle_run_brings_every_ticket_to_its_end(backend: Backend) {
    let server = Server::start(backend).await;
    let report = grebe_bench::lifecycle(&settings(&server, Budget::Count(5)))
        .await
        .expect("the run completes");
    assert_eq!(report.total_errors(), 0, "{}", report.to_table());
    let section = report.section("lifecycle").expect("a lifecycle section");
    let ok = |endpoint: &str| section.row(endpoint).map(|row| row.ok);
    assert_eq!(ok("lifecycle"), Some(5));
    // Created once, handled by the team lead and by HR.
    assert_eq!(ok("POST /tickets"), Some(5));
    assert_eq!(ok("PATCH /tickets/{id}"), Some(10));
    assert_eq!(report.parameters["workflow_id"], 1);

    let client = server.client();
    let owned = client.get("/api/v1.0/tickets?category=owner", "webb").await;
    assert_eq!(owned.data()["total"], 5);
    let finished = client
        .get("/api/v1.0/tickets?category=owner&act_state_id=4", "webb")
        .await;
    assert_eq!(finished.data()["total"], 5, "every ticket finished");
    let id = finished.data()["value"][0]["id"].as_i64().expect("an id");
    let detail = client.get(&format!("/api/v1.0/tickets/{id}"), "webb").await;
    assert_eq!(detail.data()["value"]["is_end"], true);
    assert_eq!(detail.data()["value"]["state_info"]["name"], "结束");
}

async fn a_tiny_list_run_seeds_work_for_several_users_and_measures_every_category(backend: Backend) {
    let server = Server::start(backend).await;
    let report = grebe_bench::list(&settings(&server, Budget::Count(4)), 10)
        .await
        .expect("the run completes");
    assert_eq!(report.total_errors(), 0, "{}", report.to_table());
    let seed = report.section("seed").expect("a seed section");
    assert_eq!(seed.row("seed ticket").map(|row| row.ok), Some(10));
    let lists = report.section("list").expect("a list section");
    assert_eq!(
        lists.rows.len(),
        25,
        "five categories, each plain and with four filters"
    );
    for category in ["duty", "relation", "owner", "worked", "all"] {
        for suffix in ["", "&workflow_ids", "&act_state_id", "&sn", "&title"] {
            let endpoint = format!("GET /tickets?category={category}{suffix}");
            assert_eq!(lists.row(&endpoint).map(|row| row.ok), Some(4), "{endpoint}");
        }
    }
    assert_eq!(report.parameters["list_users"], json!(["admin", "hr", "webb"]));

    // Seeded 0, 3, 6, 9 wait for the team lead, 1, 4, 7 for HR, 2, 5, 8 have ended.
    let client = server.client();
    assert_eq!(client.ticket_ids("category=duty", "admin").await.len(), 4);
    assert_eq!(client.ticket_ids("category=duty", "hr").await.len(), 3);
    assert_eq!(client.ticket_ids("category=worked", "admin").await.len(), 6);
    assert_eq!(client.ticket_ids("category=worked", "hr").await.len(), 3);
    assert_eq!(client.ticket_ids("category=owner", "webb").await.len(), 10);
}
