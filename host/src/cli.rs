//! The `grebe` command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "grebe",
    version,
    about = "A loonflow-compatible ticket and approval workflow engine"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (applies migrations; loads the demo data into an empty database).
    Serve(ServeArgs),
    /// Apply the database migrations and exit.
    Migrate(DatabaseArgs),
    /// Register, list and try WebAssembly plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Export a workflow as a JSON document, or create or update one from a document.
    #[command(subcommand)]
    Workflow(WorkflowCommand),
    /// Sync users, departments and roles from a JSON document.
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// On a database without a super admin, create the first one and an app token (printed
    /// once), so a new installation needs no demo data.
    Bootstrap(BootstrapArgs),
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Register a plugin version in the database (as the server's REST API does).
    Add(PluginAddArgs),
    /// List the registered plugins.
    List(DatabaseArgs),
    /// Run a plugin on a JSON ticket, without a server, with the server's engine and limits.
    Run(PluginRunArgs),
}

#[derive(Debug, Args)]
pub struct PluginAddArgs {
    /// The component, built for wasm32-wasip2.
    pub file: std::path::PathBuf,
    #[arg(long)]
    pub name: String,
    /// participant-resolver, condition-evaluator, hook or notice-formatter.
    #[arg(long)]
    pub kind: String,
    #[arg(long, default_value = "1.0.0")]
    pub version: String,
    /// Hosts a hook may call, e.g. https://api.example.com (repeatable).
    #[arg(long = "allow-host")]
    pub allowed_hosts: Vec<String>,
    /// The super admin registering it.
    #[arg(long, default_value = "admin")]
    pub username: String,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Per-call limits; the defaults are the server's.
#[derive(Debug, Args)]
pub struct LimitArgs {
    #[arg(long)]
    pub fuel: Option<u64>,
    #[arg(long)]
    pub memory_bytes: Option<u64>,
    #[arg(long)]
    pub time_ms: Option<u64>,
    #[arg(long)]
    pub input_bytes: Option<u64>,
    #[arg(long)]
    pub output_bytes: Option<u64>,
    #[arg(long)]
    pub host_calls: Option<u64>,
}

#[derive(Debug, Args)]
pub struct PluginRunArgs {
    /// The component, built for wasm32-wasip2.
    pub file: std::path::PathBuf,
    #[arg(long)]
    pub kind: String,
    /// `{"ticket": {...}, "parent_fields": {...}, "args": ...}`, as for a dry run.
    #[arg(long)]
    pub input: std::path::PathBuf,
    /// `{"users": [...], "depts": [...]}` for directory look-ups; empty without it.
    #[arg(long)]
    pub directory: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Subcommand)]
pub enum WorkflowCommand {
    /// Print workflow ID as a document on stdout.
    Export {
        id: i64,
        #[command(flatten)]
        actor: ActorArgs,
    },
    /// Create the document's workflow, or update the workflow of its name, in one transaction.
    Import {
        file: PathBuf,
        #[command(flatten)]
        actor: ActorArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// Upsert the document's departments, users and roles by external id; print what changed.
    Sync {
        file: PathBuf,
        #[command(flatten)]
        actor: ActorArgs,
    },
}

/// The database and the user a configuration command acts as.
#[derive(Debug, Args)]
pub struct ActorArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The user making the change, with the rights the API would give them.
    #[arg(long, default_value = "admin")]
    pub username: String,
}

#[derive(Debug, Args)]
pub struct BootstrapArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The super admin to create (or promote).
    #[arg(long, default_value = "admin")]
    pub username: String,

    /// The name of the app to create (also its serial-number prefix).
    #[arg(long)]
    pub app: String,

    /// The app's token; random when not given.
    #[arg(long)]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// `sqlite://PATH` or `mysql://USER:PASSWORD@HOST:PORT/DATABASE`.
    #[arg(long, env = "GREBE_DATABASE_URL", default_value = "sqlite://grebe.db")]
    pub database_url: String,

    #[arg(long, value_enum, env = "GREBE_LOG_FORMAT", default_value = "pretty")]
    pub log_format: LogFormat,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Address to listen on; port 0 picks a free port (the start line shows which).
    #[arg(long, env = "GREBE_BIND", default_value = "127.0.0.1:6060")]
    pub bind: String,

    /// Do not load the demo data set, even into an empty database.
    #[arg(long, env = "GREBE_NO_DEMO")]
    pub no_demo: bool,

    /// Name of the demo calling app.
    #[arg(long, env = "GREBE_DEMO_APP", default_value = "ops")]
    pub demo_app: String,

    /// How often the job worker looks for due timers, hooks and notices.
    #[arg(long, env = "GREBE_JOB_POLL_MS", default_value_t = 250)]
    pub job_poll_ms: u64,

    /// The delay before a failed job's first retry, doubling with each further one.
    #[arg(long, env = "GREBE_JOB_RETRY_BASE_MS", default_value_t = 1000)]
    pub job_retry_base_ms: u64,

    /// Token of the demo app; random when not given. Given on an existing database, it
    /// replaces the demo app's token.
    #[arg(long, env = "GREBE_DEMO_TOKEN")]
    pub demo_token: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}
