//! How a state's configured participants are described to callers (spec 6.12.2), and the
//! masking of hook secrets (S7).

use std::collections::HashMap;

use serde_json::Value;

use super::directory::Named;
use super::{Engine, EngineResult};
use crate::store::State;

use super::constants::participant_type::*;

/// Who handles a state, in display form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantInfo {
    pub participant: String,
    pub participant_name: String,
    pub participant_type_id: i64,
    pub participant_type_name: String,
    pub participant_alias: String,
}

/// The participant text a signed caller may see: for hook states the `hook_token` is replaced
/// by `***`, and a hook configuration that is not a JSON object is hidden entirely.
pub fn mask_hook_token(participant_type_id: i64, participant: &str) -> String {
    if participant_type_id != HOOK {
        return participant.to_string();
    }
    match serde_json::from_str::<Value>(participant) {
        Ok(Value::Object(mut config)) => {
            if config.contains_key("hook_token") {
                config.insert("hook_token".into(), Value::String("***".into()));
            }
            Value::Object(config).to_string()
        }
        _ => "***".to_string(),
    }
}

fn comma_items(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|item| !item.is_empty())
}

impl Engine {
    /// Describes the configured participants of each state, with the directory look-ups done
    /// in one batch per kind.
    pub async fn describe_state_participants(&self, states: &[State]) -> EngineResult<Vec<ParticipantInfo>> {
        let mut named = Named::default();
        for state in states {
            named.add_participant(state.participant_type_id, &state.participant);
        }
        let book = self.look_up(named, false).await?;
        let dept_names: HashMap<i64, String> = book.depts.iter().map(|(id, dept)| (*id, dept.name.clone())).collect();
        let role_names = &book.roles;
        let alias_of = |name: &str| book.alias(name);
        let unknown = || "未知".to_string();
        Ok(states
            .iter()
            .map(|state| {
                let participant = mask_hook_token(state.participant_type_id, &state.participant);
                let (type_name, alias) = match state.participant_type_id {
                    PERSON => ("个人", alias_of(state.participant.trim())),
                    PEOPLE => (
                        "多人",
                        comma_items(&state.participant)
                            .map(alias_of)
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                    DEPT => (
                        "部门",
                        comma_items(&state.participant)
                            .map(|id| {
                                id.parse()
                                    .ok()
                                    .and_then(|id| dept_names.get(&id).cloned())
                                    .unwrap_or_else(unknown)
                            })
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                    ROLE => (
                        "角色",
                        state
                            .participant
                            .trim()
                            .parse()
                            .ok()
                            .and_then(|id| role_names.get(&id).cloned())
                            .unwrap_or_else(unknown),
                    ),
                    VARIABLE => (
                        "变量",
                        comma_items(&state.participant)
                            .map(|variable| match variable {
                                "creator" => "工单创建人",
                                "creator_tl" => "工单创建人tl",
                                _ => "未知",
                            })
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                    HOOK => ("hook", participant.clone()),
                    _ => ("", String::new()),
                };
                ParticipantInfo {
                    participant_name: participant.clone(),
                    participant,
                    participant_type_id: state.participant_type_id,
                    participant_type_name: type_name.to_string(),
                    participant_alias: alias,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::mask_hook_token;

    #[test]
    fn hook_tokens_are_masked_and_other_types_untouched() {
        let config = r#"{"hook_url":"http://h/x","hook_token":"secret","wait":false}"#;
        let masked = mask_hook_token(10, config);
        assert!(!masked.contains("secret"));
        assert!(masked.contains(r#""hook_token":"***""#));
        assert!(masked.contains(r#""hook_url":"http://h/x""#));
        assert_eq!(mask_hook_token(10, "not json"), "***");
        assert_eq!(mask_hook_token(1, "secret"), "secret");
    }
}
