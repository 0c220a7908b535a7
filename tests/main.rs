//! Black-box tests: each starts the real `grebe` binary on a fresh SQLite file and on a fresh
//! MariaDB database, and talks to it over HTTP the way loonflow callers do.

mod support;

mod accounts;
mod admin_workflows;
mod auth;
mod bench;
mod caching;
mod conditions;
mod documents;
mod fields;
mod hooks;
mod interventions;
mod lifecycle;
mod lists;
mod notices;
mod participants;
mod plugins;
mod server;
mod subtickets;
mod timers;
mod workflows;
