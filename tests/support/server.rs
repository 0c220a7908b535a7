//! A real `grebe` process on a fresh database, stopped and cleaned up on drop.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use sqlx::Connection;

use super::client::Client;

pub const DEMO_APP: &str = "ops";
pub const DEMO_TOKEN: &str = "8cd585da-3cc6-11e8-9946-784f437daad6";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    MariaDb,
}

/// Where MariaDB is: `GREBE_TEST_MYSQL_URL`, default the local server as root. Tests fail,
/// never skip, when it cannot be reached.
fn mysql_admin_url() -> String {
    std::env::var("GREBE_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_string())
}

static SERVERS: AtomicUsize = AtomicUsize::new(0);

/// Runs `$body` with `$conn` connected to `$db`, whichever backend it is on.
macro_rules! with_connection {
    ($db:expr, |$conn:ident| $body:expr) => {
        if $db.mysql_name.is_some() {
            let mut $conn = sqlx::MySqlConnection::connect(&$db.url)
                .await
                .expect("connect to test database");
            $body
        } else {
            let mut $conn = sqlx::SqliteConnection::connect(&$db.url)
                .await
                .expect("connect to test database");
            $body
        }
    };
}

/// A fresh database: a SQLite file in a temporary folder, or a new MariaDB database.
pub struct Database {
    pub url: String,
    dir: PathBuf,
    mysql_name: Option<String>,
}

impl Database {
    pub async fn fresh(backend: Backend) -> Database {
        let n = SERVERS.fetch_add(1, Ordering::SeqCst);
        let tag = format!("{}_{n}", std::process::id());
        let dir = std::env::temp_dir().join(format!("grebe-test-{tag}"));
        std::fs::create_dir_all(&dir).expect("create test folder");
        match backend {
            Backend::Sqlite => Database {
                url: format!("sqlite://{}", dir.join("grebe.db").display()),
                dir,
                mysql_name: None,
            },
            Backend::MariaDb => {
                let name = format!("grebe_t_{tag}");
                let admin = mysql_admin_url();
                let mut conn = sqlx::MySqlConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|error| panic!("MariaDB at {admin} cannot be reached: {error}"));
                sqlx::query(&format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                Database {
                    url: format!("{}/{name}", admin.trim_end_matches('/')),
                    dir,
                    mysql_name: Some(name),
                }
            }
        }
    }

    /// A path in the test's own folder, removed with it.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn is_mysql(&self) -> bool {
        self.mysql_name.is_some()
    }

    /// Runs one SQL statement against the database, for fixtures the API cannot create yet,
    /// the way any tool changing Grebe's tables with SQL must: followed by incrementing
    /// `config_generation`, so running servers drop the configuration they cached.
    pub async fn execute(&self, sql: &str) {
        with_connection!(self, |conn| {
            sqlx::query(sql).execute(&mut conn).await.expect("fixture statement");
            sqlx::query("UPDATE config_generation SET generation = generation + 1 WHERE id = 1")
                .execute(&mut conn)
                .await
                .expect("configuration counter");
        })
    }

    /// The first column of the first row of `sql`, as text, for checking what the API never
    /// shows.
    pub async fn text(&self, sql: &str) -> String {
        with_connection!(self, |conn| sqlx::query_scalar(sql)
            .fetch_one(&mut conn)
            .await
            .expect("fixture query"))
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some(name) = self.mysql_name.take() {
            // Drop runs inside the test's runtime; a separate thread may block on its own one.
            let admin = mysql_admin_url();
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                runtime.block_on(async {
                    let mut conn = sqlx::MySqlConnection::connect(&admin).await.ok()?;
                    sqlx::query(&format!("DROP DATABASE IF EXISTS `{name}`"))
                        .execute(&mut conn)
                        .await
                        .ok()
                })
            });
            let _ = dropped.join();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts `grebe serve` on `db` and waits for its start line: (process, URL, line).
fn spawn_grebe(db: &Database, args: &[&str]) -> (Child, String, String) {
    let log_path = db.dir.join("grebe.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .expect("log file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_grebe"))
        .arg("serve")
        .args([
            "--bind",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--job-poll-ms",
            "50",
            "--job-retry-base-ms",
            "200",
            "--database-url",
            &db.url,
        ])
        .args(args)
        .env_remove("GREBE_DEMO_TOKEN")
        .env_remove("GREBE_DEMO_APP")
        .env_remove("GREBE_NO_DEMO")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("spawn grebe");
    let stdout = child.stdout.take().expect("stdout");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
    let Some(start) = line.find("http://") else {
        let _ = child.kill();
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        panic!("grebe did not start; stdout {line:?}; log:\n{log}");
    };
    let url: String = line[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    (child, url, line.trim_end().to_string())
}

/// Another `grebe` process on a server's database, killed on drop.
pub struct Sibling {
    child: Child,
    pub base_url: String,
}

impl Sibling {
    pub fn client(&self) -> Client {
        Client::new(&self.base_url, DEMO_APP, DEMO_TOKEN)
    }
}

impl Drop for Sibling {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `grebe serve`.
pub struct Server {
    pub db: Database,
    pub base_url: String,
    child: Option<Child>,
    start_line: String,
}

impl Server {
    /// `grebe serve` on a fresh database with the demo data and the demo token.
    pub async fn start(backend: Backend) -> Server {
        Server::start_with(backend, &["--demo-token", DEMO_TOKEN]).await
    }

    pub async fn start_with(backend: Backend, args: &[&str]) -> Server {
        let db = Database::fresh(backend).await;
        let mut server = Server {
            db,
            base_url: String::new(),
            child: None,
            start_line: String::new(),
        };
        server.launch(args);
        server
    }

    /// Stops the process (SIGTERM) if it runs, and starts it again on the same database.
    pub fn restart(&mut self, args: &[&str]) {
        if self.child.is_some() {
            let status = self.stop();
            assert!(status.success(), "grebe did not stop cleanly: {status}");
        }
        self.launch(args);
    }

    pub fn start_line(&self) -> &str {
        &self.start_line
    }

    fn launch(&mut self, args: &[&str]) {
        let (child, url, line) = spawn_grebe(&self.db, args);
        self.child = Some(child);
        self.base_url = url;
        self.start_line = line;
    }

    /// A second `grebe` process on the same database (no demo loading: it is not empty).
    pub fn sibling(&self) -> Sibling {
        let (child, base_url, _) = spawn_grebe(&self.db, &["--demo-token", DEMO_TOKEN]);
        Sibling { child, base_url }
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("server is running");
        // SAFETY: kill(2) on our own child's pid has no memory-safety preconditions.
        unsafe {
            libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
        }
        for _ in 0..200 {
            if let Ok(Some(status)) = child.try_wait() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        child.wait().expect("wait for grebe")
    }

    /// A client signed as the demo app.
    pub fn client(&self) -> Client {
        Client::new(&self.base_url, DEMO_APP, DEMO_TOKEN)
    }

    pub fn client_for(&self, app: &str, token: &str) -> Client {
        Client::new(&self.base_url, app, token)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
