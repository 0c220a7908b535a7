//! Finding the workflow under test by name, and what creating one of its tickets takes,
//! through the public API only (no ids are assumed).

use crate::Error;
use crate::client::{Api, Call};
use crate::fields::{self, Field};
use crate::stats::Recorder;

/// The workflow's id, the transition that submits a new ticket and the fields it requires.
#[derive(Debug, Clone)]
pub struct Workflow {
    pub id: i64,
    pub start_transition: i64,
    pub start_fields: Vec<Field>,
}

const PAGE_SIZE: u64 = 100;
/// A server that ignores `page` would repeat the first page for ever.
const MAX_PAGES: u64 = 1000;

/// Looks the workflow up by exact name on `GET /workflows`, then reads its `init_state`.
pub async fn workflow(api: &Api, user: &str, name: &str) -> Result<Workflow, Error> {
    let id = workflow_id(api, user, name).await?;
    let init = api
        .call(
            &Recorder::default(),
            Call::get(
                "GET /workflows/{id}/init_state",
                &format!("/workflows/{id}/init_state"),
                user,
            ),
        )
        .await?;
    let start_transition = init["transition"]
        .as_array()
        .and_then(|transitions| transitions.first())
        .and_then(|first| first["transition_id"].as_i64())
        .ok_or_else(|| Error::Setup(format!("the start state of workflow {name:?} offers no transition")))?;
    Ok(Workflow {
        id,
        start_transition,
        start_fields: fields::required(&init["field_list"]),
    })
}

async fn workflow_id(api: &Api, user: &str, name: &str) -> Result<i64, Error> {
    let recorder = Recorder::default();
    let per_page = PAGE_SIZE.to_string();
    for page in 1..=MAX_PAGES {
        let page_text = page.to_string();
        // loonflow's code reads `search_value`, its manual documents `name`: send both.
        let query = [
            ("search_value", name),
            ("name", name),
            ("page", page_text.as_str()),
            ("per_page", per_page.as_str()),
        ];
        let data = api
            .call(&recorder, Call::get("GET /workflows", "/workflows", user).query(&query))
            .await?;
        let items = data["value"].as_array().map(Vec::as_slice).unwrap_or_default();
        if let Some(found) = items.iter().find(|item| item["name"] == name) {
            return found["id"]
                .as_i64()
                .ok_or_else(|| Error::Setup(format!("workflow {name:?} is listed without an id")));
        }
        let seen = page * PAGE_SIZE;
        if items.is_empty() || data["total"].as_u64().is_none_or(|total| seen >= total) {
            break;
        }
    }
    Err(Error::Setup(format!(
        "no workflow named {name:?} is visible to this app as {user:?}"
    )))
}
