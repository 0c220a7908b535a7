//! Grebe: a ticket and approval workflow engine that speaks loonflow's r1.0 REST API.
//!
//! Layers, in dependency order: `api` (HTTP) → `engine` (rules) → `store` (SQL).

pub mod api;
pub mod cli;
pub mod commands;
pub mod engine;
pub mod jobs;
pub mod outbound;
pub mod plugin_cli;
pub mod plugins;
pub mod server;
pub mod store;
