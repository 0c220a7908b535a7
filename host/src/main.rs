use std::process::ExitCode;

use clap::Parser;
use grebe_host::cli::{Cli, Command, PluginCommand};
use grebe_host::{commands, plugin_cli, server};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => {
            server::init_logging(args.database.log_format);
            server::serve(args).await.map_err(|error| error.to_string())
        }
        Command::Migrate(args) => {
            server::init_logging(args.log_format);
            server::migrate(&args).await.map_err(|error| error.to_string())
        }
        Command::Workflow(command) => commands::workflow(command).await.map_err(|error| error.to_string()),
        Command::Directory(command) => commands::directory(command).await.map_err(|error| error.to_string()),
        Command::Bootstrap(args) => commands::bootstrap(args).await.map_err(|error| error.to_string()),
        Command::Plugin(PluginCommand::Add(args)) => plugin_cli::add(args).await,
        Command::Plugin(PluginCommand::List(args)) => plugin_cli::list(args).await,
        Command::Plugin(PluginCommand::Run(args)) => match plugin_cli::run(args) {
            Ok(true) => Ok(()),
            // The report is printed; the plugin's failure is the exit status.
            Ok(false) => return ExitCode::FAILURE,
            Err(error) => Err(error),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("grebe: {error}");
            ExitCode::FAILURE
        }
    }
}
