//! The configuration commands: `grebe workflow export|import`, `grebe directory sync` and
//! `grebe bootstrap`. They open the database directly and call the same engine functions as
//! the admin API, acting as `--username` with the rights the API would give that user (there
//! is no app, so no app check). Results are printed as JSON on stdout.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::json;

use crate::cli::{ActorArgs, BootstrapArgs, DatabaseArgs, DirectoryCommand, WorkflowCommand};
use crate::engine::{Actor, DirectoryDocument, Engine, EngineError, WorkflowDocument};
use crate::server::{ServerError, init_logging, open_store};

/// Why a command failed.
#[derive(Debug)]
pub enum CommandError {
    Server(ServerError),
    Engine(EngineError),
    Read(PathBuf, std::io::Error),
    Parse(PathBuf, serde_json::Error),
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Server(error) => write!(f, "{error}"),
            CommandError::Engine(error) => write!(f, "{error}"),
            CommandError::Read(path, error) => write!(f, "cannot read {}: {error}", path.display()),
            CommandError::Parse(path, error) => write!(f, "{} is not a valid document: {error}", path.display()),
        }
    }
}

impl From<ServerError> for CommandError {
    fn from(error: ServerError) -> CommandError {
        CommandError::Server(error)
    }
}

impl From<EngineError> for CommandError {
    fn from(error: EngineError) -> CommandError {
        CommandError::Engine(error)
    }
}

type CommandResult = Result<(), CommandError>;

async fn engine(database: &DatabaseArgs) -> Result<Engine, CommandError> {
    init_logging(database.log_format);
    Engine::new(open_store(database).await?)
        .map_err(|error| CommandError::Server(ServerError::Plugins(error.to_string())))
}

async fn actor(args: &ActorArgs) -> Result<(Engine, Actor), CommandError> {
    let engine = engine(&args.database).await?;
    let actor = engine.actor(&args.username, None).await?;
    Ok((engine, actor))
}

fn read<T: DeserializeOwned>(path: &Path) -> Result<T, CommandError> {
    let text = std::fs::read_to_string(path).map_err(|error| CommandError::Read(path.to_path_buf(), error))?;
    serde_json::from_str(&text).map_err(|error| CommandError::Parse(path.to_path_buf(), error))
}

fn print(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(error) => eprintln!("grebe: cannot print the result: {error}"),
    }
}

pub async fn workflow(command: WorkflowCommand) -> CommandResult {
    match command {
        WorkflowCommand::Export { id, actor: args } => {
            let (engine, actor) = actor(&args).await?;
            let document = engine.export_workflow(&actor, id).await;
            engine.store().close().await;
            print(&document?);
        }
        WorkflowCommand::Import { file, actor: args } => {
            let document: WorkflowDocument = read(&file)?;
            let (engine, actor) = actor(&args).await?;
            let outcome = engine.import_workflow(&actor, &document).await;
            engine.store().close().await;
            let outcome = outcome?;
            print(&json!({"workflow_id": outcome.workflow_id, "created": outcome.created}));
        }
    }
    Ok(())
}

pub async fn directory(command: DirectoryCommand) -> CommandResult {
    let DirectoryCommand::Sync { file, actor: args } = command;
    let document: DirectoryDocument = read(&file)?;
    let (engine, actor) = actor(&args).await?;
    let report = engine.sync_directory(&actor, &document).await;
    engine.store().close().await;
    print(&report?);
    Ok(())
}

pub async fn bootstrap(args: BootstrapArgs) -> CommandResult {
    let engine = engine(&args.database).await?;
    let created = engine.bootstrap(&args.username, &args.app, args.token.clone()).await;
    engine.store().close().await;
    let created = created?;
    print(&json!({"username": args.username, "app_name": created.app_name, "token": created.token}));
    Ok(())
}
