//! User logic as sandboxed WebAssembly components (DESIGN: Plugins). A plugin is one world of
//! the `grebe:plugin@1.0.0` package; it runs on a fresh instance per call with fuel, memory,
//! time, input, output and host-call limits, may import only its world's host interfaces
//! and a WASI with no files, environment or network, and never takes the server with it.

mod bindings;
mod capture;
mod directory;
mod error;
mod host;
mod input;
mod kind;
mod limits;
mod runtime;

pub use directory::{Directory, DirectoryDept, DirectoryUser};
pub use error::PluginError;
pub use input::{CallInput, FieldValue, PluginTicket};
pub use kind::Kind;
pub use limits::{CEILING, Limits};
pub use runtime::{
    CallReport, Compiled, HookNext, HookOutcome, MAX_CONCURRENT_CALLS, PluginRuntime, RenderedNotice, content_hash,
};
