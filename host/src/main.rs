use std::process::ExitCode;

use clap::Parser;
use grebe_host::cli::{Cli, Command, PluginCommand};
use grebe_host::{plugin_cli, server};

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
        Command::Plugin(command) => {
            let outcome = match command {
                PluginCommand::Add(args) => plugin_cli::add(args).await,
                PluginCommand::List(args) => plugin_cli::list(args).await,
                PluginCommand::Run(args) => match plugin_cli::run(args) {
                    Ok(true) => Ok(()),
                    Ok(false) => return ExitCode::FAILURE,
                    Err(error) => Err(error),
                },
            };
            return match outcome {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("grebe: {error}");
                    ExitCode::FAILURE
                }
            };
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
