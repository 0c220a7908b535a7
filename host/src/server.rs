//! Starting and stopping the server: logging, database, demo data, listener, shutdown.

use std::fmt;

use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;

use crate::api::{AppState, app};
use crate::cli::{DatabaseArgs, LogFormat, ServeArgs};
use crate::engine::{Engine, random_token};
use crate::jobs::{self, WorkerConfig};
use crate::store::{Store, StoreError};

/// Why the server could not start.
#[derive(Debug)]
pub enum ServerError {
    Store(StoreError),
    Bind(String, std::io::Error),
    Serve(std::io::Error),
    Plugins(String),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Store(error) => write!(f, "{error}"),
            ServerError::Bind(address, error) => write!(f, "cannot listen on {address}: {error}"),
            ServerError::Serve(error) => write!(f, "server failed: {error}"),
            ServerError::Plugins(error) => write!(f, "the plugin runtime could not start: {error}"),
        }
    }
}

impl From<StoreError> for ServerError {
    fn from(error: StoreError) -> ServerError {
        ServerError::Store(error)
    }
}

/// Logs go to stderr, so stdout carries only the start line.
pub fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_env("GREBE_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Pretty => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

pub async fn open_store(args: &DatabaseArgs) -> Result<Store, ServerError> {
    let store = Store::connect(&args.database_url).await?;
    store.migrate().await?;
    tracing::info!(backend = store.backend_name(), "database ready");
    Ok(store)
}

pub async fn migrate(args: &DatabaseArgs) -> Result<(), ServerError> {
    let store = open_store(args).await?;
    store.close().await;
    Ok(())
}

/// Loads the demo into an empty database (or sets the demo app's token on an existing one) and
/// returns the demo app's token, if that app exists.
async fn prepare_demo(store: &Store, args: &ServeArgs) -> Result<Option<String>, ServerError> {
    if store.is_empty().await? {
        let token = args.demo_token.clone().unwrap_or_else(random_token);
        store.load_demo(&args.demo_app, &token).await?;
        tracing::info!(app = %args.demo_app, "demo data loaded");
    } else if let Some(token) = &args.demo_token {
        store.set_app_token(&args.demo_app, token).await?;
    }
    Ok(store.app_token_by_name(&args.demo_app).await?.map(|row| row.token))
}

/// The one line printed at start: where Grebe listens and a signed request to paste.
fn start_line(url: &str, demo: Option<(&str, &str)>) -> String {
    match demo {
        None => format!("Grebe listening on {url}"),
        Some((app, token)) => format!(
            "Grebe listening on {url} | demo app {app:?} token {token:?} | try: \
             ts=$(date +%s); curl -s -H \"appname: {app}\" -H \"username: admin\" -H \"timestamp: $ts\" \
             -H \"signature: $(printf %s \"${{ts}}{token}\" | md5sum | cut -c1-32)\" {url}/api/v1.0/workflows"
        ),
    }
}

pub async fn serve(args: ServeArgs) -> Result<(), ServerError> {
    let store = open_store(&args.database).await?;
    let demo_token = if args.no_demo {
        None
    } else {
        prepare_demo(&store, &args).await?
    };
    let listener = TcpListener::bind(&args.bind)
        .await
        .map_err(|error| ServerError::Bind(args.bind.clone(), error))?;
    let address = listener.local_addr().map_err(ServerError::Serve)?;
    let url = format!("http://{address}");
    let shutdown = shutdown_signal()?;
    let (stop, stopped) = watch::channel(false);
    println!(
        "{}",
        start_line(&url, demo_token.as_deref().map(|token| (args.demo_app.as_str(), token)))
    );

    let engine = Engine::new(store.clone()).map_err(|error| ServerError::Plugins(error.to_string()))?;
    let worker = tokio::spawn(jobs::work(
        engine.clone(),
        WorkerConfig {
            poll: Duration::from_millis(args.job_poll_ms.max(10)),
            retry_base: Duration::from_millis(args.job_retry_base_ms.max(10)),
        },
        stopped,
    ));
    let state = AppState { engine };
    let served = axum::serve(listener, app(state))
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop.send(true);
        })
        .await;
    if worker.await.is_err() {
        tracing::error!("the job worker ended abnormally");
    }
    served.map_err(ServerError::Serve)?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Installs the SIGINT and SIGTERM handlers now, so a signal that arrives right after the
/// start line is printed still stops the server gracefully; the future resolves on either.
fn shutdown_signal() -> Result<impl Future<Output = ()>, ServerError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).map_err(ServerError::Serve)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(ServerError::Serve)?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("shutting down");
    })
}
