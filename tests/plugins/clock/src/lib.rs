//! Holds when the wall clock it sees reads `{"epoch": N}` seconds: conditions run with a clock
//! fixed at the ticket's creation, which this plugin makes observable.

use std::time::{SystemTime, UNIX_EPOCH};

use grebe_plugin_sdk::{ConditionEvaluator, Ticket};

struct Clock;

impl ConditionEvaluator for Clock {
    fn evaluate(_ticket: Ticket, args: &str) -> Result<bool, String> {
        let expected: u64 = args
            .trim_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .map_err(|_| format!("no epoch in {args}"))?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|error| error.to_string())?.as_secs();
        Ok(now == expected)
    }
}

grebe_plugin_sdk::export_condition_evaluator!(Clock);
