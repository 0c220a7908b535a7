use std::process::ExitCode;

use clap::Parser;
use grebe_host::cli::{Cli, Command};
use grebe_host::server;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => {
            server::init_logging(args.database.log_format);
            server::serve(args).await
        }
        Command::Migrate(args) => {
            server::init_logging(args.log_format);
            server::migrate(&args).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("grebe: {error}");
            ExitCode::FAILURE
        }
    }
}
