//! Loonflow's rules: who may call, which workflows an app and a user may see, the ticket
//! lifecycle. The engine knows neither HTTP nor JSON shapes; `api` converts.

mod access;
mod admin;
mod auth;
mod conditions;
pub mod constants;
mod create;
mod directory;
mod edits;
mod error;
mod expr;
mod fields;
mod handle;
mod history;
mod hooks;
mod interventions;
mod lifecycle;
mod limits;
mod notices;
mod overview;
mod paging;
mod participants;
mod permissions;
mod plugin_calls;
mod plugin_registry;
mod reads;
mod resolve;
mod snapshot;
mod subtickets;
mod timers;
mod values;
mod views;
mod workflows;

pub use access::App;
pub use admin::{
    Actor, ConditionPart, DeptEntry, DirectoryDocument, FieldPart, GraphFormat, HandlerReport, ImportOutcome, Listing,
    Mentions, NewAppToken, RoleEntry, StatePart, SyncChanges, SyncReport, TransitionListing, TransitionPart, UserEntry,
    UserSaved, WorkflowDocument, WorkflowPart, random_token,
};
pub use auth::{AuthError, SIGNATURE_WINDOW_SECS, SignedHeaders};
pub use create::NewTicketRequest;
pub use directory::split_names;
pub use error::{EngineError, EngineResult};
pub use fields::FieldEntry;
pub use handle::HandleRequest;
pub use history::{LogView, Step};
pub use hooks::HOOK_JOB;
pub use notices::NOTICE_JOB;
pub use overview::DayCount;
pub use paging::{MAX_PER_PAGE, Paging};
pub use participants::{ParticipantInfo, mask_hook_token};
pub use permissions::{HandleCheck, HandleRight};
pub use plugin_calls::{PluginContext, PluginReference};
pub use plugin_registry::{DryRun, PluginChange, RegisterPlugin, limits_of as plugin_limits};
pub use reads::{Actions, Category, TicketDetail, TicketQuery};
pub use snapshot::base_values;
pub use subtickets::PARENT_JOB;
pub use timers::TIMER_JOB;
pub use values::{parse_date, parse_datetime};
pub use views::{CreatorInfo, TicketView};
pub use workflows::{InitState, StateListing, WorkflowListQuery, WorkflowSummary};

use crate::store::Store;

/// The engine: loonflow's rules over a store, with the plugin runtime. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    store: Store,
    plugins: PluginContext,
    /// The client of hooks and notices.
    http: reqwest::Client,
}

impl Engine {
    pub fn new(store: Store) -> Result<Engine, crate::plugins::PluginError> {
        Ok(Engine {
            store,
            plugins: PluginContext::new()?,
            http: reqwest::Client::new(),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn plugin_context(&self) -> &PluginContext {
        &self.plugins
    }
}
