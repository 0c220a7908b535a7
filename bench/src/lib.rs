//! `grebe-bench`: a load generator for any server speaking loonflow's r1.0 REST API. It
//! finds the workflow by name, drives tickets through it as real callers do, and reports
//! throughput and latency percentiles per endpoint.

mod client;
mod discover;
mod drive;
mod fields;
mod lifecycle;
mod list;
mod report;
mod stats;
mod users;

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

pub use client::Target;
pub use drive::Budget;
pub use report::{ErrorCount, Report, Row, Section};
pub use users::Users;

use discover::Workflow;

/// A run that could not start or finish (setup, discovery, writing the report). Failed calls
/// during the measurement are not errors: they are counted in the report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Setup(String),
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
}

/// What to measure and how hard.
#[derive(Debug, Clone)]
pub struct Settings {
    pub target: Target,
    /// The workflow's name as `GET /workflows` lists it.
    pub workflow: String,
    pub users: Users,
    pub budget: Budget,
    pub concurrency: usize,
}

impl Settings {
    /// The run's parameters as the JSON report records them (never the token).
    fn parameters(&self, scenario: &str, workflow: &Workflow) -> Value {
        let finished = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|since| since.as_secs())
            .unwrap_or_default();
        let (count, duration_secs) = match self.budget {
            Budget::Count(count) => (Some(count), None),
            Budget::Duration(duration) => (None, Some(duration.as_secs_f64())),
        };
        json!({
            "scenario": scenario,
            "base_url": self.target.base_url,
            "app": self.target.app,
            "workflow": self.workflow,
            "workflow_id": workflow.id,
            "creators": self.users.creators(),
            "user_map": self.users.map(),
            "count": count,
            "duration_secs": duration_secs,
            "concurrency": self.concurrency,
            "finished_at_unix": finished,
            "bench_version": env!("CARGO_PKG_VERSION"),
        })
    }
}

/// Scenario `lifecycle`: tickets created and pushed to their end by `concurrency` workers.
pub async fn lifecycle(settings: &Settings) -> Result<Report, Error> {
    lifecycle::run(settings).await
}

/// Scenario `list`: seeds `seed` tickets through the API (0: use what the server holds), then
/// measures `GET /tickets` for each category and filter, the budget applying to each.
pub async fn list(settings: &Settings, seed: u64) -> Result<Report, Error> {
    list::run(settings, seed).await
}
