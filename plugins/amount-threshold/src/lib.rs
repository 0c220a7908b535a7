//! Holds when the ticket's amount is above the threshold of the creator's department.
//!
//! Arguments: `{"field": "amount", "thresholds": {"5": 1000, "4": 5000, "default": 20000}}`.
//! The threshold is that of the creator's department, else of the nearest ancestor that has
//! one, else `default`. `"compare": "ge"` makes it "at least" instead of "above".

use grebe_plugin_sdk::{ConditionEvaluator, Ticket, directory};
use serde_json::Value;

const MAX_DEPTH: usize = 64;

struct AmountThreshold;

impl ConditionEvaluator for AmountThreshold {
    fn evaluate(ticket: Ticket, args: &str) -> Result<bool, String> {
        let args: Value = serde_json::from_str(args).map_err(|error| format!("arguments are not JSON: {error}"))?;
        let key = args["field"].as_str().unwrap_or("amount");
        let thresholds = args["thresholds"].as_object().ok_or("arguments need a thresholds object")?;
        let amount = ticket
            .field(key)
            .and_then(|value| value.as_number())
            .ok_or(format!("field {key} holds no number"))?;
        let mut threshold = None;
        let mut dept_id = directory::user(&ticket.creator).map(|user| user.dept_id).unwrap_or(0);
        for _ in 0..MAX_DEPTH {
            if let Some(limit) = thresholds.get(&dept_id.to_string()).and_then(Value::as_f64) {
                threshold = Some(limit);
                break;
            }
            match directory::dept(dept_id) {
                Some(dept) if dept.parent_id != 0 => dept_id = dept.parent_id,
                _ => break,
            }
        }
        let threshold = threshold
            .or_else(|| thresholds.get("default").and_then(Value::as_f64))
            .ok_or("no threshold for the creator's department and no default")?;
        Ok(match args["compare"].as_str() {
            Some("ge") => amount >= threshold,
            _ => amount > threshold,
        })
    }
}

grebe_plugin_sdk::export_condition_evaluator!(AmountThreshold);
