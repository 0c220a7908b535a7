//! Scenario `list`: seed tickets through the API, then measure `GET /tickets` for each
//! category, plain and with each filter, as several users.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::Value;

use crate::client::Call;
use crate::drive::{Budget, drive};
use crate::lifecycle::Flow;
use crate::report::{Report, Section};
use crate::stats::Recorder;
use crate::{Error, Settings};

const CATEGORIES: [&str; 5] = ["duty", "relation", "owner", "worked", "all"];
/// Enough recent tickets to find every user who creates or handles them.
const SAMPLE_SIZE: &str = "100";

/// How far the `serial`-th seeded ticket is pushed: a third wait for their first handler, a
/// third for their second, a third reach the end, so duty, worked and relation lists have
/// content for several users.
fn seed_handles(serial: u64) -> Option<usize> {
    match serial % 3 {
        0 => Some(0),
        1 => Some(1),
        _ => None,
    }
}

/// Values for the filters, and the users to list as, taken from the newest tickets.
struct Sample {
    users: Vec<String>,
    sn_prefix: String,
    title_word: String,
}

async fn sample(flow: &Flow) -> Result<Sample, Error> {
    let reader = flow.users.creator(0);
    let query = [("category", "all"), ("per_page", SAMPLE_SIZE)];
    let data = flow
        .api
        .call(
            &Recorder::default(),
            Call::get("GET /tickets", "/tickets", reader).query(&query),
        )
        .await?;
    let items = data["value"].as_array().map(Vec::as_slice).unwrap_or_default();
    let Some(newest) = items.first() else {
        return Err(Error::Setup(
            "the server lists no tickets to measure; seed some first".into(),
        ));
    };
    let mut users: BTreeSet<String> = flow.users.creators().iter().cloned().collect();
    for item in items {
        let mut names = vec![item["creator"].as_str().unwrap_or_default()];
        if matches!(item["participant_type_id"].as_i64(), Some(1 | 2)) {
            names.extend(item["participant"].as_str().unwrap_or_default().split(','));
        }
        for name in names.into_iter().map(str::trim).filter(|name| !name.is_empty()) {
            users.insert(flow.users.send_as(name).to_string());
        }
    }
    // Serial numbers end in a per-day counter: the rest is a prefix shared by a day's tickets.
    let sn = newest["sn"].as_str().unwrap_or_default();
    let cut = sn.char_indices().rev().nth(3).map_or(0, |(index, _)| index);
    Ok(Sample {
        users: users.into_iter().collect(),
        sn_prefix: sn[..cut].to_string(),
        title_word: newest["title"]
            .as_str()
            .and_then(|title| title.split_whitespace().next())
            .unwrap_or_default()
            .to_string(),
    })
}

/// One measured query: its name in the report and its filter, if any.
struct Variant {
    endpoint: String,
    category: &'static str,
    filter: Option<(&'static str, String)>,
}

fn variants(sample: &Sample, workflow_id: i64) -> Vec<Variant> {
    let filters = [
        None,
        Some(("workflow_ids", workflow_id.to_string())),
        Some(("act_state_id", "1".to_string())),
        Some(("sn", sample.sn_prefix.clone())),
        Some(("title", sample.title_word.clone())),
    ];
    CATEGORIES
        .iter()
        .flat_map(|&category| {
            filters.iter().map(move |filter| Variant {
                endpoint: match filter {
                    None => format!("GET /tickets?category={category}"),
                    Some((name, _)) => format!("GET /tickets?category={category}&{name}"),
                },
                category,
                filter: filter.clone(),
            })
        })
        .collect()
}

/// Runs `variant` on its own for the budget, each call as the next user in turn.
async fn measure(flow: &Arc<Flow>, users: &Arc<Vec<String>>, variant: Variant, settings: &Settings) -> Section {
    let recorder = Recorder::default();
    let variant = Arc::new(variant);
    let wall = {
        let (flow, users, recorder) = (flow.clone(), users.clone(), recorder.clone());
        drive(settings.concurrency, settings.budget, move |serial| {
            let (flow, users, recorder, variant) = (flow.clone(), users.clone(), recorder.clone(), variant.clone());
            async move {
                let user = &users[(serial % users.len() as u64) as usize];
                let mut query = vec![("category", variant.category)];
                if let Some((name, value)) = &variant.filter {
                    query.push((*name, value.as_str()));
                }
                let call = Call::get(&variant.endpoint, "/tickets", user).query(&query);
                // A failure is counted by the call itself; the phase goes on.
                let _ = flow.api.call(&recorder, call).await;
            }
        })
        .await
    };
    recorder.section("list", wall)
}

/// Scenario `list`: seeds `seed` tickets (none with 0), then measures every variant.
pub async fn run(settings: &Settings, seed: u64) -> Result<Report, Error> {
    let flow = Arc::new(Flow::discover(settings).await?);
    let mut sections = Vec::new();
    if seed > 0 {
        let seeding = flow.pushes(
            settings.concurrency,
            Budget::Count(seed),
            "seed",
            "seed ticket",
            seed_handles,
        );
        sections.push(seeding.await);
    }
    let sample = sample(&flow).await?;
    let users = Arc::new(sample.users.clone());
    let mut lists = Section {
        name: "list".into(),
        wall_secs: 0.0,
        rows: Vec::new(),
        errors: Vec::new(),
    };
    for variant in variants(&sample, flow.workflow.id) {
        let measured = measure(&flow, &users, variant, settings).await;
        lists.wall_secs += measured.wall_secs;
        lists.rows.extend(measured.rows);
        lists.errors.extend(measured.errors);
    }
    sections.push(lists);
    let mut parameters = settings.parameters("list", &flow.workflow);
    parameters["seed"] = Value::from(seed);
    parameters["list_users"] = Value::from(sample.users);
    parameters["sn_prefix"] = Value::from(sample.sn_prefix);
    parameters["title_word"] = Value::from(sample.title_word);
    Ok(Report {
        scenario: "list".into(),
        parameters,
        sections,
    })
}
