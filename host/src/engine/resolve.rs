//! Who handles a ticket when it arrives in a state (spec 6.8, B2, B9, B22).

use rand::Rng;
use serde_json::{Map, Value};

use super::constants::{SYSTEM_USER, distribute_type, participant_type, state_type};
use super::directory::split_names;
use super::{Engine, EngineError, EngineResult};
use crate::store::State;

/// The handlers of a state for one ticket, as stored on the ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub type_id: i64,
    pub participant: String,
    /// Everyone who must act, in all-process mode (distribute type 4); empty otherwise.
    pub all_process: Vec<String>,
}

impl Resolution {
    pub fn person(username: &str) -> Resolution {
        Resolution {
            type_id: participant_type::PERSON,
            participant: username.to_string(),
            all_process: Vec::new(),
        }
    }

    /// The people the ticket now waits for (none for hooks, plugins or nobody).
    pub fn humans(&self) -> Vec<String> {
        match self.type_id {
            participant_type::PERSON | participant_type::PEOPLE => split_names(&self.participant),
            _ => Vec::new(),
        }
    }

    /// `multi_all_person` as stored: every member mapped to `{}` until they act.
    pub fn all_process_json(&self) -> String {
        let members: Map<String, Value> = self
            .all_process
            .iter()
            .map(|name| (name.clone(), Value::Object(Map::new())))
            .collect();
        Value::Object(members).to_string()
    }
}

/// What resolution reads about the ticket.
pub struct Subject<'a> {
    pub creator: &'a str,
    /// Field values for participant type 7 (ticket fields).
    pub values: &'a Map<String, Value>,
    pub parent_ticket_id: i64,
}

/// Usernames held in a field value: a comma list, a list, or a number.
fn usernames_in(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(text) => Some(split_names(text)),
        Value::Number(number) => Some(vec![number.to_string()]),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|item| item.as_str())
                .flat_map(split_names)
                .collect(),
        ),
        _ => None,
    }
}

fn field_usernames(state: &State, values: &Map<String, Value>, whose: &str) -> EngineResult<Vec<String>> {
    let mut names = Vec::new();
    for key in split_names(&state.participant) {
        let value = values.get(&key).unwrap_or(&Value::Null);
        let found = usernames_in(value).filter(|found| !found.is_empty()).ok_or_else(|| {
            EngineError::Invalid(format!("participant field {key} of state {} is empty{whose}", state.id))
        })?;
        names.extend(found);
    }
    Ok(names)
}

impl Engine {
    /// Resolves the handlers of `state` for `subject`.
    pub async fn resolve(&self, state: &State, subject: &Subject<'_>) -> EngineResult<Resolution> {
        use participant_type::*;
        match state.type_id {
            state_type::START => return Ok(Resolution::person(subject.creator)),
            state_type::END => return Ok(Resolution::person("")),
            _ => {}
        }
        let names = match state.participant_type_id {
            PERSON | PEOPLE => split_names(&state.participant),
            DEPT => {
                let ids = split_names(&state.participant)
                    .iter()
                    .map(|id| id.parse::<i64>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| {
                        EngineError::Invalid(format!(
                            "state {} lists departments that are not ids: {}",
                            state.id, state.participant
                        ))
                    })?;
                self.dept_members(&ids).await?
            }
            ROLE => {
                let role_id = state.participant.trim().parse::<i64>().map_err(|_| {
                    EngineError::Invalid(format!(
                        "state {} names a role that is not an id: {}",
                        state.id, state.participant
                    ))
                })?;
                self.store().role_member_usernames(role_id).await?
            }
            VARIABLE => {
                let mut names = Vec::new();
                for variable in split_names(&state.participant) {
                    match variable.as_str() {
                        "creator" => names.push(subject.creator.to_string()),
                        "creator_tl" => names.extend(self.dept_approvers(subject.creator).await?),
                        _ => {}
                    }
                }
                names
            }
            TICKET_FIELD => field_usernames(state, subject.values, "")?,
            PARENT_TICKET_FIELD => {
                let parent = self.store().ticket(subject.parent_ticket_id).await?.ok_or_else(|| {
                    EngineError::Invalid(format!(
                        "state {} takes its participants from the parent ticket, but ticket {} has none",
                        state.id, subject.parent_ticket_id
                    ))
                })?;
                let values = self.ticket_values(&parent).await?;
                field_usernames(state, &values, " on the parent ticket")?
            }
            PLUGIN => {
                let mut values = subject.values.clone();
                values.entry("creator").or_insert_with(|| subject.creator.into());
                values
                    .entry("parent_ticket_id")
                    .or_insert_with(|| subject.parent_ticket_id.into());
                self.resolve_by_plugin(state, &values).await?
            }
            HOOK => {
                return Ok(Resolution {
                    type_id: HOOK,
                    participant: "***".into(),
                    all_process: Vec::new(),
                });
            }
            other => {
                return Ok(Resolution {
                    type_id: other,
                    participant: state.participant.clone(),
                    all_process: Vec::new(),
                });
            }
        };
        Ok(distribute(state, dedup(names)))
    }

    /// The person who last handled or accepted a ticket in `state`, for
    /// remember-last-handler states (B2).
    pub(super) async fn last_handler(&self, ticket_id: i64, state: &State) -> EngineResult<Option<String>> {
        if !state.remember_last_man_enable || state.type_id == state_type::END {
            return Ok(None);
        }
        let log = self
            .store()
            .last_personal_log_in_state(ticket_id, state.id, SYSTEM_USER)
            .await?;
        Ok(log.map(|log| log.participant))
    }
}

fn dedup(names: Vec<String>) -> Vec<String> {
    split_names(&names.join(","))
}

/// One person is type 1; several are type 2, narrowed to one at random or put in
/// all-process mode by the state's distribute type.
fn distribute(state: &State, names: Vec<String>) -> Resolution {
    if names.len() <= 1 {
        return Resolution::person(names.first().map(String::as_str).unwrap_or(""));
    }
    match state.distribute_type_id {
        distribute_type::RANDOM => {
            let pick = rand::rng().random_range(0..names.len());
            Resolution::person(&names[pick])
        }
        distribute_type::ALL => Resolution {
            type_id: participant_type::PEOPLE,
            participant: names.join(","),
            all_process: names,
        },
        _ => Resolution {
            type_id: participant_type::PEOPLE,
            participant: names.join(","),
            all_process: Vec::new(),
        },
    }
}
