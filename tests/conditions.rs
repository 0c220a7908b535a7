//! Conditional transitions through HTTP: routing by typed field values, dates, and clear
//! errors for broken or unmatched conditions. The language itself is pinned by the table of
//! cases in the engine's unit tests.

use serde_json::{Value, json};

use crate::support::fixtures::{Flow, Handlers};
use crate::support::server::Database;
use crate::support::{Backend, Client, Server, on_both_backends};

on_both_backends!(
    the_manuals_leave_days_example_routes_by_value,
    dates_and_strings_route_and_never_run_code,
    broken_and_unmatched_conditions_are_clear_errors,
    conditions_on_handle_read_the_stored_values,
);

const FIELDS: &str = r#"{"title":2,"days":3,"start_at":3,"kind":3}"#;

fn conditions(entries: &[(&str, i64)]) -> String {
    let list: Vec<Value> = entries
        .iter()
        .map(|(e, t)| json!({"expression": e, "target_state_id": t}))
        .collect();
    Value::Array(list).to_string().replace('\'', "''")
}

async fn install(db: &Database) {
    let set = |id: i64, list: &str, destination: i64| {
        format!(
            "UPDATE transitions SET condition_expression = '{list}', destination_state_id = {destination} WHERE id = {id}"
        )
    };
    Flow::new(104, "conditions")
        .field(1400, "days", 15, 10)
        .field(1401, "start_at", 30, 20)
        .field(1402, "kind", 5, 30)
        .state(1400, "start", 1, Handlers(0, "", 2), FIELDS)
        .state(1401, "short", 0, Handlers(5, "creator", 2), FIELDS)
        .state(1402, "medium", 0, Handlers(5, "creator", 2), FIELDS)
        .state(1403, "long", 0, Handlers(5, "creator", 2), FIELDS)
        .state(1404, "end", 2, Handlers(0, "", 2), "{}")
        .transition(1400, "by days", 1400, 1401, 1)
        .transition(1405, "by date", 1400, 1401, 1)
        .transition(1406, "unknown field", 1400, 1401, 1)
        .transition(1407, "malformed", 1400, 1401, 1)
        .transition(1408, "by kind", 1400, 1401, 1)
        .transition(1410, "recheck", 1401, 1404, 1)
        .sql(&set(
            1400,
            &conditions(&[
                ("{days} <= 3", 1401),
                ("{days} > 3 and {days} <= 10", 1402),
                ("{days} > 10", 1403),
            ]),
            0,
        ))
        .sql(&set(
            1405,
            &conditions(&[(
                "{start_at} >= '2030-01-01' and {start_at} - datetime.datetime.now() > datetime.timedelta(days=30)",
                1403,
            )]),
            1401,
        ))
        .sql(&set(1406, &conditions(&[("{nope} > 1", 1403)]), 1401))
        .sql(&set(1407, &conditions(&[("{days} >", 1403)]), 1401))
        .sql(&set(
            1408,
            &conditions(&[("{kind} == 'vip' or 'urgent' in {kind}", 1403)]),
            1401,
        ))
        .sql(&set(1410, &conditions(&[("{days} * 2 > 100", 1403)]), 1404))
        .install(db)
        .await;
}

async fn state_of(client: &Client, id: i64) -> i64 {
    client.get(&format!("/api/v1.0/tickets/{id}"), "admin").await.data()["value"]["state_id"]
        .as_i64()
        .unwrap()
}

async fn create(client: &Client, transition: i64, fields: Value) -> i64 {
    let mut body = json!({"workflow_id": 104, "transition_id": transition, "title": "c"});
    body.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    client.create_ticket("webb", body).await
}

async fn the_manuals_leave_days_example_routes_by_value(backend: Backend) {
    let server = Server::start(backend).await;
    install(&server.db).await;
    let client = server.client();
    for (days, state) in [
        (json!(2), 1401),
        (json!(3), 1401),
        (json!(5), 1402),
        (json!("10"), 1402),
        (json!(10.5), 1403),
    ] {
        let id = create(&client, 1400, json!({"days": days})).await;
        assert_eq!(state_of(&client, id).await, state, "days {days}");
    }
    // No value: comparing None with a number is an evaluation error, and nothing is created.
    let answer = client
        .post(
            "/api/v1.0/tickets",
            "webb",
            json!({"workflow_id": 104, "transition_id": 1400}),
        )
        .await;
    answer.assert_error("condition expression of transition 1400");
    assert!(answer.msg().contains("could not be evaluated"), "{}", answer.msg());
    assert_eq!(client.ticket_ids("category=owner", "webb").await.len(), 5);
}

async fn dates_and_strings_route_and_never_run_code(backend: Backend) {
    let server = Server::start(backend).await;
    install(&server.db).await;
    let client = server.client();
    let late = create(&client, 1405, json!({"start_at": "2031-05-01 09:00:00"})).await;
    assert_eq!(state_of(&client, late).await, 1403);
    let soon = create(&client, 1405, json!({"start_at": "2026-01-02 09:00"})).await;
    assert_eq!(
        state_of(&client, soon).await,
        1401,
        "no condition holds: the default destination"
    );
    assert_eq!(
        state_of(&client, create(&client, 1408, json!({"kind": "vip"})).await).await,
        1403
    );
    assert_eq!(
        state_of(&client, create(&client, 1408, json!({"kind": "very urgent"})).await).await,
        1403
    );
    // Loonflow spliced values into Python source; here a value is only ever a value.
    let injected = "''' + __import__('os').system('touch /tmp/grebe-pwned') + '''";
    assert_eq!(
        state_of(&client, create(&client, 1408, json!({"kind": injected})).await).await,
        1401
    );
    assert!(!std::path::Path::new("/tmp/grebe-pwned").exists());
}

async fn broken_and_unmatched_conditions_are_clear_errors(backend: Backend) {
    let server = Server::start(backend).await;
    install(&server.db).await;
    let client = server.client();
    client
        .post(
            "/api/v1.0/tickets",
            "webb",
            json!({"workflow_id": 104, "transition_id": 1406}),
        )
        .await
        .assert_error("condition expression of transition 1406: `{nope} > 1` references unknown field nope");
    let answer = client
        .post(
            "/api/v1.0/tickets",
            "webb",
            json!({"workflow_id": 104, "transition_id": 1407, "days": 1}),
        )
        .await;
    answer.assert_error("condition expression of transition 1407");
    assert!(
        answer.msg().contains("at position 8: expected an operand"),
        "{}",
        answer.msg()
    );
    // A conditional transition without a default destination where nothing holds.
    server
        .db
        .execute(&format!(
            "UPDATE transitions SET condition_expression = '{}' WHERE id = 1406",
            conditions(&[("{days} > 100", 1403)])
        ))
        .await;
    server
        .db
        .execute("UPDATE transitions SET destination_state_id = 0 WHERE id = 1406")
        .await;
    client
        .post(
            "/api/v1.0/tickets",
            "webb",
            json!({"workflow_id": 104, "transition_id": 1406, "days": 1}),
        )
        .await
        .assert_error("no condition of transition 1406 holds for this ticket");
    assert!(
        client.ticket_ids("category=owner", "webb").await.is_empty(),
        "nothing was created"
    );
}

async fn conditions_on_handle_read_the_stored_values(backend: Backend) {
    let server = Server::start(backend).await;
    install(&server.db).await;
    let client = server.client();
    let small = create(&client, 1400, json!({"days": 1})).await;
    client.handle(small, "webb", 1410).await;
    assert_eq!(
        state_of(&client, small).await,
        1404,
        "1 * 2 > 100 is false: the default end"
    );
    let big = create(&client, 1400, json!({"days": 2})).await;
    // The value sent with the handle counts, as in loonflow.
    let answer = client
        .patch(
            &format!("/api/v1.0/tickets/{big}"),
            "webb",
            json!({"transition_id": 1410, "days": 60}),
        )
        .await;
    assert_eq!(answer.data()["value"], true);
    assert_eq!(state_of(&client, big).await, 1403);
}
