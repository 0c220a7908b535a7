//! Walks up from the creator's department to the first department whose leader has the role
//! named in the arguments, and hands the ticket to that leader.
//!
//! Arguments: `{"role_id": 3}`; optionally `"skip_creator": true` to pass over a department
//! whose leader is the creator (nobody approves their own request).

use grebe_plugin_sdk::{ParticipantResolver, Ticket, directory};
use serde_json::Value;

/// A cycle in the department tree must not loop forever.
const MAX_DEPTH: usize = 64;

struct DeptLeader;

impl ParticipantResolver for DeptLeader {
    fn resolve(ticket: Ticket, args: &str) -> Result<Vec<String>, String> {
        let args: Value = serde_json::from_str(args).map_err(|error| format!("arguments are not JSON: {error}"))?;
        let role_id = args["role_id"].as_i64().ok_or("arguments need an integer role_id")?;
        let skip_creator = args["skip_creator"].as_bool().unwrap_or(false);
        let creator = directory::user(&ticket.creator).ok_or(format!("creator {} is not in the directory", ticket.creator))?;
        let mut dept_id = creator.dept_id;
        for _ in 0..MAX_DEPTH {
            let Some(dept) = directory::dept(dept_id) else { break };
            let eligible = !dept.leader.is_empty() && !(skip_creator && dept.leader == ticket.creator);
            if eligible && directory::user_roles(&dept.leader).contains(&role_id) {
                return Ok(vec![dept.leader]);
            }
            if dept.parent_id == 0 {
                break;
            }
            dept_id = dept.parent_id;
        }
        Err(format!("no leader with role {role_id} above {}'s department", ticket.creator))
    }
}

grebe_plugin_sdk::export_participant_resolver!(DeptLeader);
