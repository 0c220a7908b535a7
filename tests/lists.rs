//! The ticket list with every filter (spec 8.1 with B19, B20), its categories, and the small
//! views over tickets: states (8.8), current handlers (8.21) and counts per day (8.22, B30).

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Backend, Client, Server, on_both_backends};

on_both_backends!(
    list_filters_by_sn_title_workflow_and_ids,
    list_filters_by_creation_time_within_a_default_window,
    list_filters_by_state_and_progress,
    child_tickets_are_listed_by_parent,
    list_orders_by_creation_and_pages,
    from_admin_keeps_managed_workflows_and_honours_creator,
    categories_follow_each_users_part,
    ticket_states_of_several_tickets,
    participant_info_lists_the_current_handlers,
    num_statistics_counts_per_day_and_workflow,
);

fn leave(title: &str) -> Value {
    json!({
        "workflow_id": 1, "transition_id": 1, "title": title, "reason": "家里有事",
        "date_start": "2026-12-01 09:00:00", "date_end": "2026-12-02 18:00:00"
    })
}

fn vpn(title: &str) -> Value {
    json!({"workflow_id": 2, "transition_id": 6, "title": title, "reason": "远程办公"})
}

/// Sets a ticket's creation time.
async fn set_created(server: &Server, id: i64, when: &str) {
    server
        .db
        .execute(&format!("UPDATE tickets SET gmt_created = '{when}' WHERE id = {id}"))
        .await;
}

/// Now shifted by `minutes`, as the database stores times.
fn shifted(minutes: i64) -> String {
    (chrono::Local::now().naive_local() + chrono::TimeDelta::minutes(minutes))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The list answer for a query, as `username`.
async fn list(client: &Client, query: &str, username: &str) -> Value {
    client
        .get(&format!("/api/v1.0/tickets?{query}"), username)
        .await
        .data()
        .clone()
}

fn ids_of(data: &Value) -> Vec<i64> {
    data["value"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_i64().expect("id"))
        .collect()
}

async fn list_error(client: &Client, query: &str, needle: &str) {
    client
        .get(&format!("/api/v1.0/tickets?{query}"), "webb")
        .await
        .assert_error(needle);
}

async fn list_filters_by_sn_title_workflow_and_ids(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let t1 = client.create_ticket("webb", leave("年假 alpha")).await;
    let t2 = client.create_ticket("webb", leave("100% 完成")).await;
    let t3 = client.create_ticket("webb", vpn("a_b 申请")).await;
    let t4 = client.create_ticket("webb", vpn("普通 Alphabet")).await;
    let today = chrono::Local::now().format("%Y%m%d").to_string();
    let ids = |query: String| {
        let client = &client;
        async move { client.ticket_ids(&format!("category=all&{query}"), "webb").await }
    };

    // sn: a prefix.
    assert_eq!(ids(format!("sn=ops_{today}0002")).await, [t2]);
    assert_eq!(ids(format!("sn=ops_{today}000")).await, [t4, t3, t2, t1]);
    assert_eq!(ids("sn=ops_".into()).await, [t4, t3, t2, t1]);
    assert!(
        ids(format!("sn={today}0001")).await.is_empty(),
        "a prefix, not a substring"
    );
    assert!(ids("sn=ops%25".into()).await.is_empty(), "% is literal");
    assert!(ids("sn=cmdb_".into()).await.is_empty());

    // title: contains, with LIKE wildcards literal.
    assert_eq!(ids("title=alpha".into()).await, [t4, t1]);
    assert_eq!(ids("title=%25".into()).await, [t2], "% is literal");
    assert_eq!(ids("title=_".into()).await, [t3], "_ is literal");
    assert_eq!(ids("title=%E7%94%B3%E8%AF%B7".into()).await, [t3]); // 申请
    assert_eq!(ids("title=%E5%B9%B4%E5%81%87%20alpha".into()).await, [t1]); // "年假 alpha"
    assert!(ids("title=nothing".into()).await.is_empty());

    // workflow_ids: intersected with the app's workflows.
    assert_eq!(ids("workflow_ids=2".into()).await, [t4, t3]);
    assert_eq!(ids("workflow_ids=1,2".into()).await, [t4, t3, t2, t1]);
    assert_eq!(ids("workflow_ids=1,99".into()).await, [t2, t1]);
    assert!(ids("workflow_ids=99".into()).await.is_empty());
    assert!(ids("workflow_ids=3".into()).await.is_empty());
    list_error(&client, "category=all&workflow_ids=1,x", "workflow_ids").await;

    // ticket_ids.
    assert_eq!(ids(format!("ticket_ids={t1},{t3}")).await, [t3, t1]);
    assert_eq!(ids(format!("ticket_ids={t1},9999")).await, [t1]);
    assert_eq!(ids(format!("workflow_ids=1&ticket_ids={t1},{t3}")).await, [t1]);
    assert_eq!(ids(format!("title=alpha&ticket_ids={t1},{t3}")).await, [t1]);
    list_error(&client, "category=all&ticket_ids=1,abc", "ticket_ids").await;
    list_error(&client, "category=all&state_ids=two", "state_ids").await;

    // Items carry the row dict and the extras.
    let data = list(&client, &format!("category=all&ticket_ids={t3}"), "webb").await;
    let item = &data["value"][0];
    assert_eq!(item["sn"], format!("ops_{today}0003"));
    assert_eq!(item["title"], "a_b 申请");
    assert_eq!(item["workflow_id"], 2);
    assert_eq!(item["state"]["state_name"], "运维人员-审批中");
    assert_eq!(item["workflow_info"]["workflow_name"], "vpn申请");
    assert_eq!(item["creator_info"]["email"], "webb@1111.com");
    assert_eq!(data["total"], 1);
}

async fn list_filters_by_creation_time_within_a_default_window(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let mut made = Vec::new();
    for n in 0..7 {
        made.push(client.create_ticket("webb", leave(&format!("t{n}"))).await);
    }
    let [ancient, may10, may11, last_year, soon, later, now] = made[..] else {
        unreachable!()
    };
    set_created(&server, ancient, "2020-01-01 00:00:00").await;
    set_created(&server, may10, "2024-05-10 08:00:00").await;
    set_created(&server, may11, "2024-05-11 12:00:00").await;
    set_created(&server, last_year, &shifted(-364 * 24 * 60)).await;
    set_created(&server, soon, &shifted(30)).await;
    set_created(&server, later, &shifted(120)).await;
    let ids = |query: &'static str| {
        let client = &client;
        async move { client.ticket_ids(&format!("category=all&{query}"), "webb").await }
    };

    // B20: without bounds, the last 365 days and up to an hour ahead.
    assert_eq!(ids("").await, [soon, now, last_year]);
    assert_eq!(
        client.ticket_ids("category=owner", "webb").await,
        [soon, now, last_year],
        "every category uses the window"
    );
    // With one bound the other is open.
    assert_eq!(
        ids("create_start=2019-01-01").await,
        [later, soon, now, last_year, may11, may10, ancient]
    );
    assert_eq!(
        ids("create_start=2024-05-11").await,
        [later, soon, now, last_year, may11]
    );
    // A date-only end means midnight at the start of that day.
    assert_eq!(ids("create_end=2024-05-11").await, [may10, ancient]);
    assert_eq!(ids("create_end=2024-05-11%2012:00:00").await, [may11, may10, ancient]);
    // Both bounds are inclusive, to the second.
    assert_eq!(
        ids("create_start=2024-05-10%2008:00:00&create_end=2024-05-11%2012:00:00").await,
        [may11, may10]
    );
    assert_eq!(
        ids("create_start=2024-05-10%2008:00:01&create_end=2024-05-11%2011:59:59").await,
        Vec::<i64>::new()
    );
    assert_eq!(
        ids("create_start=2024-05-10T08:00:00&create_end=2024-05-10").await,
        Vec::<i64>::new()
    );
    assert_eq!(ids("create_start=2019-12-31&create_end=2020-01-02").await, [ancient]);

    list_error(&client, "category=all&create_start=yesterday", "create_start").await;
    list_error(&client, "category=all&create_end=2024-13-01", "create_end").await;
    list_error(&client, "category=all&create_start=2024-02-30", "create_start").await;
}

async fn list_filters_by_state_and_progress(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let ongoing = client.create_ticket("webb", leave("进行中")).await;
    let rejected = client.create_ticket("webb", leave("被退回")).await;
    client.handle(rejected, "admin", 3).await;
    let finished = client.create_ticket("webb", leave("已完成")).await;
    client.handle(finished, "admin", 2).await;
    client.handle(finished, "hr", 4).await;
    let remote = client.create_ticket("webb", vpn("vpn")).await;
    let ids = |query: &'static str| {
        let client = &client;
        async move { client.ticket_ids(&format!("category=all&{query}"), "webb").await }
    };

    assert_eq!(ids("state_ids=2").await, [ongoing]);
    assert_eq!(ids("state_ids=1,4").await, [finished, rejected]);
    assert_eq!(ids("state_ids=6&workflow_ids=2").await, [remote]);
    assert!(ids("state_ids=3").await.is_empty());

    assert_eq!(ids("act_state_id=1").await, [remote, ongoing]);
    assert_eq!(ids("act_state_id=2").await, [rejected]);
    assert_eq!(ids("act_state_id=4").await, [finished]);
    assert!(ids("act_state_id=0").await.is_empty());
    list_error(&client, "category=all&act_state_id=done", "act_state_id").await;

    assert_eq!(ids("is_end=1").await, [finished]);
    assert_eq!(ids("is_end=true").await, [finished]);
    assert_eq!(ids("is_end=0").await, [remote, rejected, ongoing]);
    assert_eq!(ids("is_rejected=1").await, [rejected]);
    assert_eq!(ids("is_rejected=0").await, [remote, finished, ongoing]);
    assert_eq!(ids("is_rejected=false").await, [remote, finished, ongoing]);
    assert!(ids("is_end=1&is_rejected=1").await.is_empty());
    assert_eq!(ids("is_end=0&is_rejected=0").await, [remote, ongoing]);
    assert_eq!(ids("is_end=1&act_state_id=4").await, [finished]);
    assert!(ids("is_end=1&act_state_id=1").await.is_empty());
    assert!(ids("is_end=0&act_state_id=4").await.is_empty());
    assert_eq!(ids("is_rejected=1&state_ids=1").await, [rejected]);
    list_error(&client, "category=all&is_end=2", "is_end").await;
    list_error(&client, "category=all&is_rejected=yes", "is_rejected").await;

    // The totals follow the filters.
    assert_eq!(list(&client, "category=all&is_end=0", "webb").await["total"], 3);
}

async fn child_tickets_are_listed_by_parent(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let parent = client.create_ticket("webb", leave("父工单")).await;
    let other_parent = client.create_ticket("webb", leave("另一个父工单")).await;
    let child_of = |parent: i64, state: i64, title: &str| {
        let mut body = vpn(title);
        body["parent_ticket_id"] = json!(parent);
        body["parent_ticket_state_id"] = json!(state);
        body
    };
    let first = client.create_ticket("webb", child_of(parent, 2, "子1")).await;
    // A child belongs to the state its parent is in when it is created.
    client.handle(parent, "admin", 2).await;
    let second = client.create_ticket("hr", child_of(parent, 3, "子2")).await;
    let third = client.create_ticket("webb", child_of(other_parent, 2, "子3")).await;

    let value = client.get(&format!("/api/v1.0/tickets/{first}"), "webb").await.data()["value"].clone();
    assert_eq!(
        (
            value["parent_ticket_id"].clone(),
            value["parent_ticket_state_id"].clone()
        ),
        (json!(parent), json!(2))
    );
    let ids = |query: String| {
        let client = &client;
        async move { client.ticket_ids(&format!("category=all&{query}"), "webb").await }
    };
    assert_eq!(ids(format!("parent_ticket_id={parent}")).await, [second, first]);
    assert_eq!(
        ids(format!("parent_ticket_id={parent}&parent_ticket_state_id=2")).await,
        [first]
    );
    assert_eq!(ids("parent_ticket_state_id=2".into()).await, [third, first]);
    assert_eq!(ids("parent_ticket_state_id=3".into()).await, [second]);
    assert_eq!(ids(format!("parent_ticket_id={other_parent}")).await, [third]);
    assert!(ids(format!("parent_ticket_id={first}")).await.is_empty());
    // 0 means no filter.
    assert_eq!(ids("parent_ticket_id=0".into()).await.len(), 5);
    list_error(&client, "category=all&parent_ticket_id=abc", "parent_ticket_id").await;
    list_error(
        &client,
        "category=all&parent_ticket_state_id=x",
        "parent_ticket_state_id",
    )
    .await;

    // Both parent keys or neither; the state must be the parent workflow's.
    let mut body = vpn("孤儿");
    body["parent_ticket_id"] = json!(parent);
    client
        .post("/api/v1.0/tickets", "webb", body)
        .await
        .assert_error("parent_ticket_id needs parent_ticket_state_id");
    let mut body = vpn("孤儿");
    body["parent_ticket_state_id"] = json!(2);
    client
        .post("/api/v1.0/tickets", "webb", body)
        .await
        .assert_error("parent_ticket_state_id needs parent_ticket_id");
    client
        .post("/api/v1.0/tickets", "webb", child_of(parent, 6, "孤儿"))
        .await
        .assert_error("parent_ticket_state_id 6");
    client
        .post("/api/v1.0/tickets", "webb", child_of(9999, 2, "孤儿"))
        .await
        .assert_error("parent ticket 9999 is not existed");
    let mut body = vpn("孤儿");
    body["parent_ticket_id"] = json!("1");
    body["parent_ticket_state_id"] = json!(2);
    client
        .post("/api/v1.0/tickets", "webb", body)
        .await
        .assert_error("parent_ticket_id");
    assert_eq!(
        ids("".into()).await,
        [third, second, first, other_parent, parent],
        "nothing else was created"
    );
}

async fn list_orders_by_creation_and_pages(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let mut t = Vec::new();
    for n in 0..5 {
        t.push(client.create_ticket("webb", leave(&format!("t{n}"))).await);
    }
    // t0 an hour ago, t1 two hours ago: creation time orders the list, not the id.
    set_created(&server, t[0], &shifted(-60)).await;
    set_created(&server, t[1], &shifted(-120)).await;
    let newest_first = [t[4], t[3], t[2], t[0], t[1]];
    let oldest_first = [t[1], t[0], t[2], t[3], t[4]];
    assert_eq!(client.ticket_ids("category=all", "webb").await, newest_first);
    assert_eq!(client.ticket_ids("category=all&reverse=1", "webb").await, newest_first);
    assert_eq!(client.ticket_ids("category=all&reverse=0", "webb").await, oldest_first);
    list_error(&client, "category=all&reverse=up", "reverse").await;

    let page = |query: &'static str| {
        let client = &client;
        async move { list(client, &format!("category=all&{query}"), "webb").await }
    };
    let data = page("per_page=2").await;
    assert_eq!(ids_of(&data), newest_first[0..2]);
    assert_eq!(
        (data["total"].clone(), data["page"].clone(), data["per_page"].clone()),
        (json!(5), json!(1), json!(2))
    );
    let data = page("per_page=2&page=2").await;
    assert_eq!(ids_of(&data), newest_first[2..4]);
    assert_eq!(data["page"], 2);
    let data = page("per_page=2&page=3").await;
    assert_eq!(ids_of(&data), newest_first[4..5]);
    // Past the end (or below 1): the last page, echoing the page asked for.
    let data = page("per_page=2&page=9").await;
    assert_eq!(ids_of(&data), newest_first[4..5]);
    assert_eq!((data["page"].clone(), data["total"].clone()), (json!(9), json!(5)));
    let data = page("per_page=2&page=0").await;
    assert_eq!(ids_of(&data), newest_first[4..5]);
    let data = page("per_page=2&page=2&reverse=0").await;
    assert_eq!(ids_of(&data), oldest_first[2..4]);
    // Defaults: page 1 of 10.
    let data = page("").await;
    assert_eq!((data["page"].clone(), data["per_page"].clone()), (json!(1), json!(10)));
    // Paging within a filter counts the filtered rows only.
    let data = page("per_page=1&page=2&title=t").await;
    assert_eq!(data["total"], 5);
    let data = page("per_page=1&title=t4").await;
    assert_eq!((ids_of(&data), data["total"].clone()), (vec![t[4]], json!(1)));
    // An empty result still echoes the paging.
    let data = page("per_page=3&page=2&title=none").await;
    assert_eq!(data, json!({"value": [], "per_page": 3, "page": 2, "total": 0}));

    list_error(&client, "category=all&per_page=0", "per_page").await;
    list_error(&client, "category=all&per_page=1001", "per_page").await;
    list_error(&client, "category=all&page=first", "page").await;
}

async fn from_admin_keeps_managed_workflows_and_honours_creator(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let w1 = client.create_ticket("webb", leave("w1")).await;
    let w2 = client.create_ticket("webb", vpn("w2")).await;
    let h1 = client.create_ticket("hr", leave("h1")).await;
    let h2 = client.create_ticket("hr", vpn("h2")).await;
    let all = [h2, h1, w2, w1];

    // admin is a super admin: manages every workflow.
    assert_eq!(client.ticket_ids("category=all&from_admin=1", "admin").await, all);
    assert_eq!(
        client
            .ticket_ids("category=all&from_admin=1&creator=webb", "admin")
            .await,
        [w2, w1]
    );
    assert_eq!(
        client
            .ticket_ids("category=all&from_admin=true&creator=hr", "admin")
            .await,
        [h2, h1]
    );
    assert!(
        client
            .ticket_ids("category=all&from_admin=1&creator=nobody", "admin")
            .await
            .is_empty()
    );
    // Without admin mode creator is ignored; from_admin=0 is not admin mode (B19).
    assert_eq!(client.ticket_ids("category=all&creator=webb", "admin").await, all);
    assert_eq!(
        client
            .ticket_ids("category=all&from_admin=0&creator=webb", "admin")
            .await,
        all
    );
    assert_eq!(
        client
            .ticket_ids("category=all&from_admin=false&creator=webb", "webb")
            .await,
        all
    );

    // webb manages nothing, until made an admin of vpn申请.
    assert!(client.ticket_ids("category=all&from_admin=1", "webb").await.is_empty());
    server
        .db
        .execute(
            "INSERT INTO workflow_admins (workflow_id, username, creator, gmt_created, gmt_modified) \
             VALUES (2, 'webb', 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .await;
    assert_eq!(client.ticket_ids("category=all&from_admin=1", "webb").await, [h2, w2]);
    assert_eq!(
        client.ticket_ids("category=all&from_admin=1&creator=hr", "webb").await,
        [h2]
    );
    assert_eq!(
        client
            .ticket_ids("category=all&from_admin=1&workflow_ids=1", "webb")
            .await,
        Vec::<i64>::new()
    );
    assert_eq!(
        client.ticket_ids("category=owner&from_admin=1", "webb").await,
        [w2],
        "admin mode combines with the category"
    );
    list_error(&client, "category=all&from_admin=yes", "from_admin").await;
}

async fn categories_follow_each_users_part(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    // webb's leave waits for admin (webb's dept approver), hr's for hr (人事部's approver).
    let webb_leave = client.create_ticket("webb", leave("webb 请假")).await;
    let webb_vpn = client.create_ticket("webb", vpn("webb vpn")).await;
    let hr_leave = client.create_ticket("hr", leave("hr 请假")).await;
    let ops_vpn = client.create_ticket("ops", vpn("ops vpn")).await;
    // ops rejects webb's vpn back to webb.
    client.handle(webb_vpn, "ops", 7).await;
    // hr approves their own leave as team lead; it now waits for 人事部 (hr again).
    client.handle(hr_leave, "hr", 2).await;

    let expected: [(&str, &str, Vec<i64>); 19] = [
        ("duty", "admin", vec![webb_leave]),
        ("duty", "webb", vec![webb_vpn]),
        ("duty", "ops", vec![ops_vpn]),
        ("duty", "ops2", vec![ops_vpn]),
        ("duty", "hr", vec![hr_leave]),
        ("owner", "webb", vec![webb_vpn, webb_leave]),
        ("owner", "hr", vec![hr_leave]),
        ("owner", "ops", vec![ops_vpn]),
        ("owner", "admin", vec![]),
        ("relation", "webb", vec![webb_vpn, webb_leave]),
        ("relation", "admin", vec![webb_leave]),
        ("relation", "ops", vec![ops_vpn, webb_vpn]),
        ("relation", "ops2", vec![ops_vpn, webb_vpn]),
        ("relation", "hr", vec![hr_leave]),
        ("relation", "david", vec![]),
        ("worked", "ops", vec![webb_vpn]),
        ("worked", "hr", vec![hr_leave]),
        ("worked", "ops2", vec![]),
        ("worked", "admin", vec![]),
    ];
    for (category, username, ids) in &expected {
        assert_eq!(
            &client.ticket_ids(&format!("category={category}"), username).await,
            ids,
            "{category} of {username}"
        );
    }
    let all = [ops_vpn, hr_leave, webb_vpn, webb_leave];
    for username in ["admin", "webb", "david", "nobody"] {
        assert_eq!(
            client.ticket_ids("category=all", username).await,
            all,
            "all for {username}"
        );
    }

    // Finishing a ticket takes it off the duty list.
    client.handle(hr_leave, "hr", 4).await;
    assert!(client.ticket_ids("category=duty", "hr").await.is_empty());
    assert_eq!(client.ticket_ids("category=worked", "hr").await, [hr_leave]);
    assert_eq!(client.ticket_ids("category=relation", "hr").await, [hr_leave]);

    // Without a username header the user categories match nothing; `all` still lists.
    for category in ["duty", "owner", "relation", "worked"] {
        let answer = client
            .send(
                Method::GET,
                &format!("/api/v1.0/tickets?category={category}"),
                client.signed_headers(None),
                None,
            )
            .await;
        assert_eq!(
            answer.data(),
            &json!({"value": [], "per_page": 10, "page": 1, "total": 0}),
            "{category} without a username"
        );
    }
    let answer = client
        .send(
            Method::GET,
            "/api/v1.0/tickets?category=all",
            client.signed_headers(None),
            None,
        )
        .await;
    assert_eq!(ids_of(answer.data()), all);
    list_error(&client, "category=mine", "category value is invalid").await;
}

async fn ticket_states_of_several_tickets(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let leave_id = client.create_ticket("webb", leave("请假")).await;
    let vpn_id = client.create_ticket("webb", vpn("vpn")).await;
    let done = client.create_ticket("webb", leave("完成")).await;
    client.handle(done, "admin", 2).await;
    client.handle(done, "hr", 4).await;

    let answer = client
        .get(
            &format!("/api/v1.0/tickets/states?ticket_ids={leave_id},{vpn_id},{done},9999"),
            "webb",
        )
        .await;
    assert_eq!(answer.msg(), "");
    assert_eq!(
        answer.data(),
        &json!({
            leave_id.to_string(): {"state_id": 2, "state_name": "tl审批中"},
            vpn_id.to_string(): {"state_id": 6, "state_name": "运维人员-审批中"},
            done.to_string(): {"state_id": 4, "state_name": "结束"},
        })
    );
    assert_eq!(
        client
            .get("/api/v1.0/tickets/states?ticket_ids=9999,10000", "webb")
            .await
            .data(),
        &json!({})
    );
    client
        .get("/api/v1.0/tickets/states", "webb")
        .await
        .assert_error("ticket_ids");
    client
        .get("/api/v1.0/tickets/states?ticket_ids=", "webb")
        .await
        .assert_error("ticket_ids");
    client
        .get("/api/v1.0/tickets/states?ticket_ids=1,x", "webb")
        .await
        .assert_error("ticket_ids");
    // Deleted tickets are still answered (spec 8.8).
    server
        .db
        .execute(&format!("UPDATE tickets SET is_deleted = 1 WHERE id = {leave_id}"))
        .await;
    let answer = client
        .get(&format!("/api/v1.0/tickets/states?ticket_ids={leave_id}"), "webb")
        .await;
    assert_eq!(
        answer.data(),
        &json!({leave_id.to_string(): {"state_id": 2, "state_name": "tl审批中"}})
    );
    // S6: tickets of workflows the app may not use are left out.
    server
        .db
        .execute(
            "INSERT INTO app_tokens (app_name, token, workflow_ids, ticket_sn_prefix, creator, gmt_created, gmt_modified) \
             VALUES ('cmdb', 'cmdb-token', '2', 'cmdb', 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .await;
    let cmdb = server.client_for("cmdb", "cmdb-token");
    assert_eq!(
        cmdb.get(
            &format!("/api/v1.0/tickets/states?ticket_ids={leave_id},{vpn_id},{done}"),
            "webb"
        )
        .await
        .data(),
        &json!({vpn_id.to_string(): {"state_id": 6, "state_name": "运维人员-审批中"}})
    );
}

async fn participant_info_lists_the_current_handlers(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    // The role state of vpn申请: 运维人员 is ops and ops2.
    let remote = client.create_ticket("webb", vpn("vpn")).await;
    let answer = client
        .get(&format!("/api/v1.0/tickets/{remote}/participant_info"), "webb")
        .await;
    assert_eq!(answer.msg(), "");
    assert_eq!(
        answer.data(),
        &json!({
            "participant_username_list": ["ops", "ops2"],
            "participant_info_list": [
                {"username": "ops", "alias": "ops", "phone": "", "email": "ops@1111.com"},
                {"username": "ops2", "alias": "ops2", "phone": "", "email": "ops2@1111.com"}
            ]
        })
    );
    // One person.
    let leave_id = client.create_ticket("webb", leave("请假")).await;
    assert_eq!(
        client
            .get(&format!("/api/v1.0/tickets/{leave_id}/participant_info"), "hr")
            .await
            .data(),
        &json!({
            "participant_username_list": ["admin"],
            "participant_info_list": [
                {"username": "admin", "alias": "超级管理员", "phone": "", "email": "admin@111.com"}
            ]
        })
    );
    // A finished ticket waits for nobody.
    client.handle(leave_id, "admin", 2).await;
    client.handle(leave_id, "hr", 4).await;
    assert_eq!(
        client
            .get(&format!("/api/v1.0/tickets/{leave_id}/participant_info"), "hr")
            .await
            .data(),
        &json!({"participant_username_list": [], "participant_info_list": []})
    );
    // Unknown users are listed by name only; the infos come in directory order.
    server
        .db
        .execute(&format!(
            "UPDATE tickets SET participant_type_id = 2, participant = 'ops2,ghost,ops' WHERE id = {remote}"
        ))
        .await;
    let data = client
        .get(&format!("/api/v1.0/tickets/{remote}/participant_info"), "webb")
        .await
        .data()
        .clone();
    assert_eq!(data["participant_username_list"], json!(["ops2", "ghost", "ops"]));
    let infos: Vec<&str> = data["participant_info_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|info| info["username"].as_str().unwrap())
        .collect();
    assert_eq!(infos, ["ops", "ops2"]);
    // A stored role (legacy type 4) lists its members.
    server
        .db
        .execute(&format!(
            "UPDATE tickets SET participant_type_id = 4, participant = '1' WHERE id = {remote}"
        ))
        .await;
    assert_eq!(
        client
            .get(&format!("/api/v1.0/tickets/{remote}/participant_info"), "webb")
            .await
            .data()["participant_username_list"],
        json!(["ops", "ops2"])
    );

    client
        .get("/api/v1.0/tickets/9999/participant_info", "webb")
        .await
        .assert_error("ticket 9999 is not existed");
    // S6: an app without the workflow does not see the ticket.
    server
        .db
        .execute(
            "INSERT INTO app_tokens (app_name, token, workflow_ids, ticket_sn_prefix, creator, gmt_created, gmt_modified) \
             VALUES ('cmdb', 'cmdb-token', '2', 'cmdb', 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .await;
    let cmdb = server.client_for("cmdb", "cmdb-token");
    cmdb.get(&format!("/api/v1.0/tickets/{leave_id}/participant_info"), "webb")
        .await
        .assert_error("is not existed");
    cmdb.get(&format!("/api/v1.0/tickets/{remote}/participant_info"), "webb")
        .await
        .data();
}

async fn num_statistics_counts_per_day_and_workflow(backend: Backend) {
    let server = Server::start(backend).await;
    let client = server.client();
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let mut made = Vec::new();
    for n in 0..4 {
        made.push(client.create_ticket("webb", leave(&format!("l{n}"))).await);
    }
    for n in 0..3 {
        made.push(client.create_ticket("hr", vpn(&format!("v{n}"))).await);
    }
    set_created(&server, made[0], "2026-03-01 00:00:00").await;
    set_created(&server, made[1], "2026-03-01 23:59:59").await;
    set_created(&server, made[2], "2026-03-02 09:00:00").await;
    set_created(&server, made[4], "2026-03-02 10:00:00").await;
    set_created(&server, made[5], "2026-02-28 10:00:00").await;
    // made[3] and made[6] stay today. A deleted ticket does not count.
    let deleted = client.create_ticket("webb", leave("deleted")).await;
    set_created(&server, deleted, "2026-03-01 12:00:00").await;
    server
        .db
        .execute(&format!("UPDATE tickets SET is_deleted = 1 WHERE id = {deleted}"))
        .await;

    let stats = |query: &'static str| {
        let client = &client;
        async move {
            client
                .get(&format!("/api/v1.0/tickets/num_statistics{query}"), "admin")
                .await
                .data()
                .clone()
        }
    };
    assert_eq!(
        stats("?start_date=2026-03-01&end_date=2026-03-02").await,
        json!([
            {"day": "2026-03-01", "type": "请假流程", "count": 2},
            {"day": "2026-03-02", "type": "请假流程", "count": 1},
            {"day": "2026-03-02", "type": "vpn申请", "count": 1},
        ])
    );
    assert_eq!(
        stats("?start_date=2026-03-02&end_date=2026-03-02").await,
        json!([
            {"day": "2026-03-02", "type": "请假流程", "count": 1},
            {"day": "2026-03-02", "type": "vpn申请", "count": 1},
        ]),
        "both bounds are whole days"
    );
    assert_eq!(
        stats("?end_date=2026-03-01").await,
        json!([
            {"day": "2026-02-28", "type": "vpn申请", "count": 1},
            {"day": "2026-03-01", "type": "请假流程", "count": 2},
        ])
    );
    let today_only = json!([
        {"day": today, "type": "请假流程", "count": 1},
        {"day": today, "type": "vpn申请", "count": 1},
    ]);
    let from_today = client
        .get(&format!("/api/v1.0/tickets/num_statistics?start_date={today}"), "admin")
        .await;
    assert_eq!(from_today.data(), &today_only);
    let everything = stats("").await;
    let rows = everything.as_array().unwrap();
    assert_eq!(rows.len(), 6, "{everything}");
    assert_eq!(rows[0], json!({"day": "2026-02-28", "type": "vpn申请", "count": 1}));
    assert_eq!(&rows[4..], today_only.as_array().unwrap().as_slice());
    assert_eq!(rows.iter().map(|row| row["count"].as_i64().unwrap()).sum::<i64>(), 7);
    assert_eq!(stats("?start_date=2030-01-01").await, json!([]));

    // Only the workflows the user manages.
    assert_eq!(
        client
            .get(
                "/api/v1.0/tickets/num_statistics?start_date=2026-03-01&end_date=2026-03-02",
                "webb"
            )
            .await
            .data(),
        &json!([])
    );
    server
        .db
        .execute(
            "INSERT INTO workflow_admins (workflow_id, username, creator, gmt_created, gmt_modified) \
             VALUES (2, 'webb', 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .await;
    assert_eq!(
        client
            .get(
                "/api/v1.0/tickets/num_statistics?start_date=2026-03-01&end_date=2026-03-02",
                "webb"
            )
            .await
            .data(),
        &json!([{"day": "2026-03-02", "type": "vpn申请", "count": 1}])
    );

    // S6: only the workflows the calling app may use.
    server
        .db
        .execute(
            "INSERT INTO app_tokens (app_name, token, workflow_ids, ticket_sn_prefix, creator, gmt_created, gmt_modified) \
             VALUES ('cmdb', 'cmdb-token', '2', 'cmdb', 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .await;
    assert_eq!(
        server
            .client_for("cmdb", "cmdb-token")
            .get(
                "/api/v1.0/tickets/num_statistics?start_date=2026-02-01&end_date=2026-03-31",
                "admin"
            )
            .await
            .data(),
        &json!([
            {"day": "2026-02-28", "type": "vpn申请", "count": 1},
            {"day": "2026-03-02", "type": "vpn申请", "count": 1},
        ])
    );

    for (query, name) in [
        ("start_date=2026-3-1x", "start_date"),
        ("start_date=2026-03-01&end_date=tomorrow", "end_date"),
        ("end_date=2026-02-30", "end_date"),
    ] {
        client
            .get(&format!("/api/v1.0/tickets/num_statistics?{query}"), "admin")
            .await
            .assert_error(name);
    }
}
