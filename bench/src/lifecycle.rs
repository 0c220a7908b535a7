//! One ticket from creation to its end, the way a calling back end drives it: create, read
//! who handles it now, ask what that user may do, handle with the agreeing transition, repeat.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::Error;
use crate::Settings;
use crate::client::{Api, Call, CallError};
use crate::discover::{self, Workflow};
use crate::drive::{Budget, drive};
use crate::fields::{self, Field};
use crate::report::{Report, Section};
use crate::stats::Recorder;
use crate::users::Users;

/// A workflow that loops back on itself must not keep a worker for ever.
const MAX_STEPS: usize = 20;
const AGREE: i64 = 1;
const ACT_STATE_FINISHED: i64 = 4;
const ACT_STATE_CLOSED: i64 = 5;
const PARTICIPANT_PERSON: i64 = 1;
const PARTICIPANT_PEOPLE: i64 = 2;
const NON_PERSON: &str = "ticket waits for a non-person handler";

/// Everything a worker needs to push tickets of one workflow through a server.
pub struct Flow {
    pub api: Api,
    pub workflow: Workflow,
    pub users: Users,
    /// Required fields are a property of a state, so each state's are learned once per run.
    state_fields: Mutex<HashMap<i64, Arc<Vec<Field>>>>,
}

/// Why a push failed: a call (already recorded under its endpoint) or the ticket itself.
enum Stop {
    Call,
    Ticket(String),
}

impl From<CallError> for Stop {
    fn from(_: CallError) -> Stop {
        Stop::Call
    }
}

/// Who the detail says handles the ticket now.
enum Handler {
    Person(String),
    Nobody,
    NotAPerson,
}

fn handler(detail: &Value) -> Handler {
    let participant = detail["participant"].as_str().unwrap_or_default().trim();
    if participant.is_empty() {
        return Handler::Nobody;
    }
    match detail["participant_type_id"].as_i64() {
        Some(PARTICIPANT_PERSON) => Handler::Person(participant.to_string()),
        Some(PARTICIPANT_PEOPLE) => participant
            .split(',')
            .map(str::trim)
            .find(|name| !name.is_empty())
            .map_or(Handler::Nobody, |name| Handler::Person(name.to_string())),
        _ => Handler::NotAPerson,
    }
}

fn has_ended(detail: &Value) -> bool {
    matches!(
        detail["act_state_id"].as_i64(),
        Some(ACT_STATE_FINISHED | ACT_STATE_CLOSED)
    ) || detail["is_end"] == true
}

/// The first agreeing transition, else the first one offered.
fn pick(transitions: &Value) -> Option<i64> {
    let transitions = transitions.as_array()?;
    transitions
        .iter()
        .find(|transition| transition["attribute_type_id"].as_i64() == Some(AGREE))
        .or_else(|| transitions.first())
        .and_then(|transition| transition["transition_id"].as_i64())
}

impl Flow {
    /// Finds the workflow named in the settings and prepares a client sized for the run.
    pub async fn discover(settings: &Settings) -> Result<Flow, Error> {
        let api = Api::new(&settings.target, settings.concurrency)?;
        let workflow = discover::workflow(&api, settings.users.creator(0), &settings.workflow).await?;
        Ok(Flow {
            api,
            workflow,
            users: settings.users.clone(),
            state_fields: Mutex::default(),
        })
    }

    /// Pushes tickets on `concurrency` workers for the budget, the `serial`-th one handled at
    /// most `max_handles(serial)` times, as report section `section` with each whole push
    /// under `aggregate`.
    pub async fn pushes(
        self: &Arc<Self>,
        concurrency: usize,
        budget: Budget,
        section: &str,
        aggregate: &'static str,
        max_handles: fn(u64) -> Option<usize>,
    ) -> Section {
        let recorder = Recorder::default();
        recorder.declare(aggregate);
        let wall = {
            let (flow, recorder) = (self.clone(), recorder.clone());
            drive(concurrency, budget, move |serial| {
                let (flow, recorder) = (flow.clone(), recorder.clone());
                async move { flow.timed(&recorder, aggregate, serial, max_handles(serial)).await }
            })
            .await
        };
        recorder.section(section, wall)
    }

    async fn timed(&self, recorder: &Recorder, aggregate: &str, serial: u64, max_handles: Option<usize>) {
        let started = Instant::now();
        match self.push(recorder, serial, max_handles).await {
            Ok(()) => recorder.ok(aggregate, started.elapsed()),
            Err(Stop::Call) => recorder.failed(aggregate),
            Err(Stop::Ticket(message)) => recorder.error(aggregate, &message),
        }
    }

    async fn push(&self, recorder: &Recorder, serial: u64, max_handles: Option<usize>) -> Result<(), Stop> {
        let creator = self.users.creator(serial);
        let mut body = Map::new();
        body.insert("workflow_id".into(), json!(self.workflow.id));
        body.insert("transition_id".into(), json!(self.workflow.start_transition));
        body.insert("suggestion".into(), json!("grebe-bench"));
        fields::fill(&mut body, &self.workflow.start_fields, creator, serial);
        let created = self
            .api
            .call(
                recorder,
                Call::with_body(Method::POST, "POST /tickets", "/tickets", creator, Value::Object(body)),
            )
            .await?;
        let id = created["ticket_id"]
            .as_i64()
            .ok_or_else(|| Stop::Ticket("the create answer has no ticket_id".into()))?;
        let ticket_path = format!("/tickets/{id}");
        let transitions_path = format!("/tickets/{id}/transitions");
        for handles in 0..MAX_STEPS {
            if max_handles == Some(handles) {
                // Handled as often as asked: it waits for its next handler.
                return Ok(());
            }
            // The creator may always see their ticket, so they read where it stands.
            let detail = self
                .api
                .call(recorder, Call::get("GET /tickets/{id}", &ticket_path, creator))
                .await?;
            let detail = &detail["value"];
            if has_ended(detail) {
                return Ok(());
            }
            let handler = match handler(detail) {
                Handler::Person(name) => self.users.send_as(&name).to_string(),
                Handler::Nobody => {
                    // No one named and nothing offered to the creator either: it has stopped,
                    // as at an end, on a server that does not report act_state_id.
                    let offered = self
                        .api
                        .call(
                            recorder,
                            Call::get("GET /tickets/{id}/transitions", &transitions_path, creator),
                        )
                        .await?;
                    if offered["value"].as_array().is_none_or(Vec::is_empty) {
                        return Ok(());
                    }
                    return Err(Stop::Ticket(NON_PERSON.into()));
                }
                Handler::NotAPerson => return Err(Stop::Ticket(NON_PERSON.into())),
            };
            let offered = self
                .api
                .call(
                    recorder,
                    Call::get("GET /tickets/{id}/transitions", &transitions_path, &handler),
                )
                .await?;
            let transition_id = pick(&offered["value"])
                .ok_or_else(|| Stop::Ticket("the current handler is offered no transition".into()))?;
            let required = self
                .state_fields(recorder, detail, &ticket_path, creator, &handler)
                .await?;
            let mut body = Map::new();
            body.insert("transition_id".into(), json!(transition_id));
            body.insert("suggestion".into(), json!("grebe-bench"));
            fields::fill(&mut body, &required, &handler, serial);
            self.api
                .call(
                    recorder,
                    Call::with_body(
                        Method::PATCH,
                        "PATCH /tickets/{id}",
                        &ticket_path,
                        &handler,
                        Value::Object(body),
                    ),
                )
                .await?;
        }
        Err(Stop::Ticket(format!(
            "ticket did not reach its end in {MAX_STEPS} steps"
        )))
    }

    /// The fields the current state requires. A detail marks them (field_attribute 2) only for
    /// a reader who may handle the ticket, so a state not seen yet is read once as its handler.
    async fn state_fields(
        &self,
        recorder: &Recorder,
        detail: &Value,
        ticket_path: &str,
        reader: &str,
        handler: &str,
    ) -> Result<Arc<Vec<Field>>, Stop> {
        let state_id = detail["state_id"].as_i64().unwrap_or_default();
        let known = self.cache().get(&state_id).cloned();
        if let Some(fields) = known {
            return Ok(fields);
        }
        let required = if reader == handler {
            fields::required(&detail["field_list"])
        } else {
            let as_handler = self
                .api
                .call(recorder, Call::get("GET /tickets/{id}", ticket_path, handler))
                .await?;
            fields::required(&as_handler["value"]["field_list"])
        };
        let required = Arc::new(required);
        self.cache().insert(state_id, required.clone());
        Ok(required)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<Vec<Field>>>> {
        self.state_fields.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Scenario `lifecycle`: tickets created and pushed to their end by `concurrency` workers.
pub async fn run(settings: &Settings) -> Result<Report, Error> {
    let flow = Arc::new(Flow::discover(settings).await?);
    let section = flow
        .pushes(settings.concurrency, settings.budget, "lifecycle", "lifecycle", |_| {
            None
        })
        .await;
    Ok(Report {
        scenario: "lifecycle".into(),
        parameters: settings.parameters("lifecycle", &flow.workflow),
        sections: vec![section],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agreeing_transition_is_preferred() {
        let offered = json!([
            {"transition_id": 3, "attribute_type_id": 2},
            {"transition_id": 2, "attribute_type_id": 1}
        ]);
        assert_eq!(pick(&offered), Some(2));
        assert_eq!(pick(&json!([{"transition_id": 5, "attribute_type_id": 3}])), Some(5));
        assert_eq!(pick(&json!([])), None);
    }

    #[test]
    fn the_first_of_several_handlers_handles() {
        let detail = json!({"participant_type_id": 2, "participant": "ops, ops2"});
        assert!(matches!(handler(&detail), Handler::Person(name) if name == "ops"));
        let hook = json!({"participant_type_id": 10, "participant": "***"});
        assert!(matches!(handler(&hook), Handler::NotAPerson));
        let end = json!({"participant_type_id": 1, "participant": ""});
        assert!(matches!(handler(&end), Handler::Nobody));
    }
}
