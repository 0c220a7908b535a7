//! Loonflow's rules: who may call, which workflows an app and a user may see, what a creator
//! needs to start a ticket. The engine knows neither HTTP nor JSON shapes; `api` converts.

mod access;
mod auth;
mod error;
mod fields;
mod paging;
mod participants;
mod workflows;

pub use access::App;
pub use auth::{AuthError, SIGNATURE_WINDOW_SECS, SignedHeaders};
pub use error::{EngineError, EngineResult};
pub use fields::FieldEntry;
pub use paging::{MAX_PER_PAGE, Paging};
pub use participants::{ParticipantInfo, mask_hook_token};
pub use workflows::{InitState, StateListing, WorkflowListQuery, WorkflowSummary};

use crate::store::Store;

/// The engine: loonflow's rules over a store. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    store: Store,
}

impl Engine {
    pub fn new(store: Store) -> Engine {
        Engine { store }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }
}
