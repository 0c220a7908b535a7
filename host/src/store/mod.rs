//! All SQL lives here. The store knows tables and queries, not rules: callers in `engine`
//! decide what a row means. One `Store` serves both backends; the `on_pool!` macro expands a
//! query once per backend so that each is compiled against its own sqlx driver.

mod accounts;
mod cache;
mod config;
mod demo;
mod directory;
mod error;
mod jobs;
mod plugins;
mod relations;
mod rows;
mod table;
mod tickets;
mod tx;
mod values;
mod workflows;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use cache::ConfigCache;

pub use accounts::{
    AppTokenValues, DeptRecord, DeptValues, Membership, RoleRecord, RoleValues, UserRecord, UserValues,
};
pub use config::{FieldValues, Notice, NoticeValues, StateValues, TransitionValues, WorkflowValues};
pub use error::StoreError;
pub use jobs::{Job, JobEnd, NewJob};
pub use plugins::{NewPlugin, PluginLimits, PluginRow, PluginRun};
pub use relations::TicketUser;
pub use rows::*;
pub(crate) use table::Columns;
pub use table::Table;
pub use tickets::{TicketFilter, UserScope};
pub use tx::Tx;
pub(crate) use tx::TxConn;
pub(crate) use tx::on_tx;

pub type StoreResult<T> = Result<T, StoreError>;

/// The database, with the cache of its configuration rows.
#[derive(Clone)]
pub struct Store {
    db: Db,
    cache: Arc<ConfigCache>,
}

/// A connection pool on one of the supported backends. SQLite has a second pool of one
/// connection for write transactions (see `begin_write`).
#[derive(Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool, SqlitePool),
    MySql(MySqlPool),
}

/// Runs `$body` with `$pool` bound to the concrete sqlx pool of whichever backend `$store` is.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite($pool, _) => $body,
            $crate::store::Db::MySql($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Fetches all `$row`s of `$sql`, binding each of `$values` in turn (for `IN (…)` lists).
macro_rules! fetch_binding_each {
    ($store:expr, $row:ty, $sql:expr, $values:expr) => {
        $crate::store::on_pool!($store, |pool| {
            let mut query = sqlx::query_as::<_, $row>($sql);
            for value in $values {
                query = query.bind(value);
            }
            query.fetch_all(pool).await?
        })
    };
}
pub(crate) use fetch_binding_each;

/// A value bound to a `?` of a dynamically built query.
#[derive(Debug, Clone)]
pub(crate) enum SqlArg {
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
    Date(chrono::NaiveDate),
    DateTime(chrono::NaiveDateTime),
    Null,
}

/// Binds each `SqlArg` of `$args` to `$query` in order.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                $crate::store::SqlArg::Int(value) => query.bind(*value),
                $crate::store::SqlArg::Float(value) => query.bind(*value),
                $crate::store::SqlArg::Bool(value) => query.bind(*value),
                $crate::store::SqlArg::Text(value) => query.bind(value.as_str()),
                $crate::store::SqlArg::Date(value) => query.bind(*value),
                $crate::store::SqlArg::DateTime(value) => query.bind(*value),
                $crate::store::SqlArg::Null => query.bind(Option::<String>::None),
            };
        }
        query
    }};
}
pub(crate) use bind_args;

/// One page of `$row`s: counts with `$count` (bound to `$args`), asks `$window_for` which slice
/// to read, and reads it with `$list` (bound to `$args`, then `LIMIT ? OFFSET ?`).
macro_rules! fetch_page {
    ($store:expr, $row:ty, count: $count:expr, list: $list:expr, args: $args:expr, window_for: $window_for:expr) => {{
        let args: &[$crate::store::SqlArg] = $args;
        let (count, list): (String, String) = ($count, $list);
        $crate::store::on_pool!($store, |pool| {
            let total: i64 = $crate::store::bind_args!(sqlx::query_scalar(&count), args)
                .fetch_one(pool)
                .await?;
            let window: $crate::store::Window = ($window_for)(total);
            let items = $crate::store::bind_args!(sqlx::query_as::<_, $row>(&list), args)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await?;
            $crate::store::Page { items, total }
        })
    }};
}
pub(crate) use fetch_page;

const CONFIG_GENERATION_READ: &str = "SELECT generation FROM config_generation WHERE id = 1";
/// Run in every transaction that may change configuration.
const CONFIG_GENERATION_BUMP: &str = "UPDATE config_generation SET generation = generation + 1 WHERE id = 1";

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static MYSQL_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/mysql");

impl Store {
    /// Opens a pool for `url` (`sqlite://…` or `mysql://…`). SQLite files are created when
    /// missing and run in WAL mode.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10));
            // Connections are not pinged before each use: a statement on a broken connection
            // fails and is reported like any other, and the ping doubled every statement's
            // round trips to sqlx's connection threads.
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .connect_with(options.clone())
                .await?;
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(60))
                .connect_with(options)
                .await?;
            Ok(Store::new(Db::Sqlite(pool, writer)))
        } else if url.starts_with("mysql:") || url.starts_with("mariadb:") {
            let url = url.replacen("mariadb:", "mysql:", 1);
            let options = MySqlConnectOptions::from_str(&url)?.charset("utf8mb4");
            // READ COMMITTED: ticket operations are guarded by version checks and explicit row
            // locks, and without gap locks concurrent creations do not deadlock each other.
            let pool = MySqlPoolOptions::new()
                .max_connections(16)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(|connection, _| {
                    Box::pin(async move {
                        sqlx::Executor::execute(
                            &mut *connection,
                            "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                        )
                        .await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await?;
            Ok(Store::new(Db::MySql(pool)))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }

    fn new(db: Db) -> Store {
        Store {
            db,
            cache: Arc::default(),
        }
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.db {
            Db::Sqlite(pool, _) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::MySql(pool) => MYSQL_MIGRATIONS.run(pool).await?,
        }
        self.cache.invalidate();
        Ok(())
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db {
            Db::Sqlite(..) => "sqlite",
            Db::MySql(_) => "mysql",
        }
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(pool, writer) => {
                writer.close().await;
                pool.close().await;
            }
            Db::MySql(pool) => pool.close().await,
        }
    }

    /// Reads the database's configuration counter and forgets the cached configuration if
    /// another process (or this one) changed it since the last reading.
    pub async fn sync_config(&self) -> StoreResult<()> {
        let generation: i64 = on_pool!(self, |pool| sqlx::query_scalar(CONFIG_GENERATION_READ)
            .fetch_one(pool)
            .await?);
        self.cache.observe(generation);
        Ok(())
    }

    /// A configuration read served from the cache while fresh (see `cache.rs`).
    async fn cached<T, F, Fut>(&self, query: &'static str, key: String, load: F) -> StoreResult<T>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = StoreResult<T>>,
    {
        self.cache.get_or_load(query, key, load).await
    }
}

/// The current local time at whole seconds: loonflow's datetimes are naive local times and
/// its JSON shows seconds only, so storing seconds keeps reads and writes symmetric.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let now = chrono::Local::now().naive_local();
    now.with_nanosecond(0).unwrap_or(now)
}

/// The current local time with milliseconds, for job schedules: timers must not fire early
/// by the fraction of a second that `now` drops.
pub fn precise_now() -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let now = chrono::Local::now().naive_local();
    now.with_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(now)
}

/// `FROM … WHERE …` and arguments for the non-deleted rows of a workflow in `table`, narrowed,
/// when `search` is given, to rows where any of `columns` contains it.
fn workflow_rows_filter(
    table: &str,
    workflow_id: i64,
    columns: &[&str],
    search: Option<&str>,
) -> (String, Vec<SqlArg>) {
    let mut filter = format!("{table} WHERE workflow_id = ? AND is_deleted = 0");
    let mut args = vec![SqlArg::Int(workflow_id)];
    if let Some(search) = search {
        let any: Vec<String> = columns
            .iter()
            .map(|column| format!("{column} LIKE ? ESCAPE '!'"))
            .collect();
        filter.push_str(&format!(" AND ({})", any.join(" OR ")));
        args.extend(std::iter::repeat_n(SqlArg::Text(like_pattern(search)), columns.len()));
    }
    (filter, args)
}

/// `needle` with `%`, `_` and the escape character itself escaped for `LIKE … ESCAPE '!'`.
fn like_escape(needle: &str) -> String {
    let mut escaped = String::with_capacity(needle.len());
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '!') {
            escaped.push('!');
        }
        escaped.push(c);
    }
    escaped
}

/// A `LIKE … ESCAPE '!'` pattern matching text that contains `needle`.
fn like_pattern(needle: &str) -> String {
    format!("%{}%", like_escape(needle))
}
