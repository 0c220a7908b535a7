//! `grebe-bench`: measures a loonflow r1.0 server; see `grebe-bench --help`.

mod cli;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Scenario};
use grebe_bench::{Error, Report};

const DEFAULT_LIFECYCLES: u64 = 1000;
const DEFAULT_LIST_CALLS: u64 = 200;

async fn run(cli: &Cli) -> Result<Report, Error> {
    let report = match &cli.scenario {
        Scenario::Lifecycle(common) => grebe_bench::lifecycle(&common.settings(DEFAULT_LIFECYCLES)?).await?,
        Scenario::List(args) => grebe_bench::list(&args.common.settings(DEFAULT_LIST_CALLS)?, args.seed()).await?,
    };
    print!("{}", report.to_table());
    if let Some(path) = &cli.scenario.common().json {
        report.write_json(path)?;
    }
    Ok(report)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(&Cli::parse()).await {
        Ok(report) if report.total_errors() == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(3),
        Err(error) => {
            eprintln!("grebe-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
