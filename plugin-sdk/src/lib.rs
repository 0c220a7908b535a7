//! Write Grebe plugins in Rust.
//!
//! A plugin is a WebAssembly component of one kind, built for `wasm32-wasip2`. Pick the kind
//! with a cargo feature of this crate, implement its trait, and call its export macro once:
//!
//! | feature | trait | macro |
//! |---|---|---|
//! | `participant-resolver` (default) | [`ParticipantResolver`] | `export_participant_resolver!` |
//! | `condition-evaluator` | `ConditionEvaluator` | `export_condition_evaluator!` |
//! | `hook` | `Hook` | `export_hook!` |
//! | `notice-formatter` | `NoticeFormatter` | `export_notice_formatter!` |
//!
//! Plugins run sandboxed: they can log, read the directory and the ticket's fields, and (hooks
//! only) call the hosts an admin allowed. They cannot read files, the environment or the
//! network otherwise, and every call has a fuel, memory and time budget.
//!
//! # A complete resolver
//!
//! `Cargo.toml`:
//!
//! ```toml
//! [package]
//! name = "team-lead"
//! version = "1.0.0"
//! edition = "2024"
//!
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! grebe-plugin-sdk = { path = "../plugin-sdk" }
//! ```
//!
//! `src/lib.rs`:
//!
//! ```no_run
//! use grebe_plugin_sdk::{ParticipantResolver, Ticket, directory, log};
//!
//! /// Hands the ticket to the leader of the creator's department, or to the `fallback`
//! /// user named in the state's arguments (`{"fallback": "admin"}`).
//! struct TeamLead;
//!
//! impl ParticipantResolver for TeamLead {
//!     fn resolve(ticket: Ticket, args: &str) -> Result<Vec<String>, String> {
//!         let creator = directory::user(&ticket.creator).ok_or("the creator is not in the directory")?;
//!         if let Some(dept) = directory::dept(creator.dept_id) {
//!             if !dept.leader.is_empty() {
//!                 return Ok(vec![dept.leader]);
//!             }
//!         }
//!         log::warn(&format!("no leader for {}, using the fallback", ticket.creator));
//!         let fallback = args.split('"').nth(3).ok_or("no fallback user in the arguments")?;
//!         Ok(vec![fallback.to_string()])
//!     }
//! }
//!
//! grebe_plugin_sdk::export_participant_resolver!(TeamLead);
//! ```
//!
//! Build it with `cargo build --release --target wasm32-wasip2`, try it locally with
//! `grebe plugin run target/wasm32-wasip2/release/team_lead.wasm --kind participant-resolver
//! --input ticket.json`, and hand the `.wasm` to an admin to register.

#[cfg(any(
    all(feature = "participant-resolver", feature = "condition-evaluator"),
    all(feature = "participant-resolver", feature = "hook"),
    all(feature = "participant-resolver", feature = "notice-formatter"),
    all(feature = "condition-evaluator", feature = "hook"),
    all(feature = "condition-evaluator", feature = "notice-formatter"),
    all(feature = "hook", feature = "notice-formatter"),
))]
compile_error!("a plugin is one kind: enable exactly one feature of grebe-plugin-sdk (use default-features = false)");

#[cfg(not(any(
    feature = "participant-resolver",
    feature = "condition-evaluator",
    feature = "hook",
    feature = "notice-formatter"
)))]
compile_error!("choose the plugin's kind with one feature of grebe-plugin-sdk");

/// The bindings of the chosen kind's world.
#[doc(hidden)]
pub mod bindings {
    #[cfg(feature = "participant-resolver")]
    wit_bindgen::generate!({
        path: "wit",
        world: "participant-resolver",
        pub_export_macro: true,
        default_bindings_module: "grebe_plugin_sdk::bindings",
    });
    #[cfg(feature = "condition-evaluator")]
    wit_bindgen::generate!({
        path: "wit",
        world: "condition-evaluator",
        pub_export_macro: true,
        default_bindings_module: "grebe_plugin_sdk::bindings",
    });
    #[cfg(feature = "hook")]
    wit_bindgen::generate!({
        path: "wit",
        world: "hook",
        pub_export_macro: true,
        default_bindings_module: "grebe_plugin_sdk::bindings",
    });
    #[cfg(feature = "notice-formatter")]
    wit_bindgen::generate!({
        path: "wit",
        world: "notice-formatter",
        pub_export_macro: true,
        default_bindings_module: "grebe_plugin_sdk::bindings",
    });
}

mod kinds;
mod ticket;

pub use bindings::grebe::plugin::types::{Field, Ticket, Value};
pub use kinds::*;

/// The server's log, under the plugin's name and version.
pub mod log {
    use crate::bindings::grebe::plugin::log::{Level, log};

    pub fn debug(message: &str) {
        log(Level::Debug, message);
    }

    pub fn info(message: &str) {
        log(Level::Info, message);
    }

    pub fn warn(message: &str) {
        log(Level::Warn, message);
    }

    pub fn error(message: &str) {
        log(Level::Error, message);
    }
}

/// Read-only look-ups in the directory.
#[cfg(not(feature = "notice-formatter"))]
pub mod directory {
    pub use crate::bindings::grebe::plugin::directory::{
        Dept, User, dept_members, find_dept as dept, find_user as user, role_members, user_roles,
    };
}

/// Field values of this ticket and of its parent.
pub mod fields {
    pub use crate::bindings::grebe::plugin::ticket_fields::{field, parent_field};
}

/// Outbound HTTP to the hosts the plugin's registration allows.
#[cfg(feature = "hook")]
pub mod http {
    pub use crate::bindings::grebe::plugin::http::{Header, Request, Response, send};
}
