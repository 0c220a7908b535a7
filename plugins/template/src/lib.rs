//! A participant resolver that hands every ticket back to its creator.
//!
//! To write another kind of plugin, change the sdk feature in Cargo.toml (`condition-evaluator`,
//! `hook`, `notice-formatter`) and implement that kind's trait instead.

use grebe_plugin_sdk::{ParticipantResolver, Ticket, log};

struct Creator;

impl ParticipantResolver for Creator {
    fn resolve(ticket: Ticket, _args: &str) -> Result<Vec<String>, String> {
        log::info(&format!("ticket {} goes back to {}", ticket.sn, ticket.creator));
        Ok(vec![ticket.creator])
    }
}

grebe_plugin_sdk::export_participant_resolver!(Creator);
