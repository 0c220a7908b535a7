//! The command line: `grebe-bench lifecycle|list --base-url URL --app NAME --token TOKEN ...`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use grebe_bench::{Budget, Error, Settings, Target, Users};

#[derive(Debug, Parser)]
#[command(
    name = "grebe-bench",
    version,
    about = "Load generator for any server speaking the loonflow r1.0 REST API",
    after_help = "Exit status: 0 when every operation succeeded, 3 when some failed (see the report), \
                  1 when the run could not start, 2 for a bad command line."
)]
pub struct Cli {
    #[command(subcommand)]
    pub scenario: Scenario,
}

#[derive(Debug, Subcommand)]
pub enum Scenario {
    /// Create tickets and push each one to its end state, handling as whoever the ticket names.
    Lifecycle(Common),
    /// Seed tickets, then measure GET /tickets for each category (duty, relation, owner, worked,
    /// all), plain and with filters; --count/--duration apply to each of these queries.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct Common {
    /// The server's root URL, e.g. http://127.0.0.1:6060.
    #[arg(long)]
    base_url: String,
    /// The calling app's name (the `appname` header).
    #[arg(long)]
    app: String,
    /// The app's signing token.
    #[arg(long, env = "GREBE_BENCH_TOKEN", hide_env_values = true)]
    token: String,
    /// The workflow to drive, by name.
    #[arg(long, default_value = "请假流程")]
    workflow: String,
    /// Stop after this many operations (default: 1000 lifecycles, 200 calls per list query).
    #[arg(long, conflicts_with = "duration", value_parser = clap::value_parser!(u64).range(1..))]
    count: Option<u64>,
    /// Stop starting new operations after this many seconds.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    duration: Option<u64>,
    /// Operations in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=4096))]
    concurrency: u64,
    /// Who creates tickets; a comma list spreads them over the virtual users.
    #[arg(long, default_value = "webb")]
    creator: String,
    /// A JSON object mapping usernames the server names to the usernames to send.
    #[arg(long)]
    user_map: Option<PathBuf>,
    /// Also write the report, with the run's parameters, as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub common: Common,
    /// Tickets to create through the API before measuring.
    #[arg(long, default_value_t = 1000)]
    seed: u64,
    /// Measure what the server already holds; create nothing.
    #[arg(long, conflicts_with = "seed")]
    skip_seed: bool,
}

impl Scenario {
    pub fn common(&self) -> &Common {
        match self {
            Scenario::Lifecycle(common) => common,
            Scenario::List(args) => &args.common,
        }
    }
}

impl ListArgs {
    pub fn seed(&self) -> u64 {
        if self.skip_seed { 0 } else { self.seed }
    }
}

impl Common {
    /// The settings, with `default_count` when neither a count nor a duration was given.
    pub fn settings(&self, default_count: u64) -> Result<Settings, Error> {
        let map = match &self.user_map {
            Some(path) => Users::read_map(path)?,
            None => Default::default(),
        };
        let budget = match (self.count, self.duration) {
            (_, Some(seconds)) => Budget::Duration(Duration::from_secs(seconds)),
            (count, None) => Budget::Count(count.unwrap_or(default_count)),
        };
        Ok(Settings {
            target: Target {
                base_url: self.base_url.clone(),
                app: self.app.clone(),
                token: self.token.clone(),
            },
            workflow: self.workflow.clone(),
            users: Users::new(&self.creator, map)?,
            budget,
            concurrency: self.concurrency as usize,
        })
    }
}
