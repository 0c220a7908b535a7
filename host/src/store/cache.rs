//! A per-process cache of configuration reads (app tokens, workflows, states, transitions,
//! field definitions, the directory). Every request reads several of these rows and they
//! change rarely, so serving them from memory takes most statements off each request.
//!
//! Freshness: a write transaction that may change configuration increments the database's
//! `config_generation` and empties the cache when it commits (only ticket transactions, which
//! never touch configuration, leave both), so this process sees its own changes at once. Every
//! request and every batch of jobs first reads the counter (`Store::sync_config`), so changes
//! made by another process are seen at once too. A change made with SQL that does not increment
//! the counter is seen once the entries are older than `FRESH_FOR`.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::StoreResult;

/// How long an entry is served before it is read again.
const FRESH_FOR: Duration = Duration::from_secs(1);
/// Keys can come from request headers (app names, usernames); past this many entries the
/// cache starts over rather than grow without bound.
const MAX_ENTRIES: usize = 10_000;

type Key = (&'static str, String);

struct Entry {
    generation: u64,
    loaded: Instant,
    value: Arc<dyn Any + Send + Sync>,
}

pub(super) struct ConfigCache {
    /// Bumped by every invalidation; an entry read under an older generation is not served.
    generation: AtomicU64,
    entries: Mutex<HashMap<Key, Entry>>,
    /// The database's `config_generation` when last read (`None` before the first reading).
    seen: AtomicI64,
}

impl Default for ConfigCache {
    fn default() -> ConfigCache {
        ConfigCache {
            generation: AtomicU64::new(0),
            entries: Mutex::default(),
            seen: AtomicI64::new(NOT_SEEN),
        }
    }
}

const NOT_SEEN: i64 = -1;

impl ConfigCache {
    /// The value cached for `(query, key)`, or what `load` reads (then kept, unless the
    /// configuration was invalidated while it was read).
    pub(super) async fn get_or_load<T, F, Fut>(&self, query: &'static str, key: String, load: F) -> StoreResult<T>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = StoreResult<T>>,
    {
        let generation = self.generation.load(Ordering::Acquire);
        let key = (query, key);
        if let Some(value) = self.fresh(&key, generation) {
            return Ok(value);
        }
        let value = load().await?;
        let mut entries = self.lock();
        if self.generation.load(Ordering::Acquire) == generation {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            let entry = Entry {
                generation,
                loaded: Instant::now(),
                value: Arc::new(value.clone()),
            };
            entries.insert(key, entry);
        }
        Ok(value)
    }

    fn fresh<T: Clone + 'static>(&self, key: &Key, generation: u64) -> Option<T> {
        let entries = self.lock();
        let entry = entries.get(key)?;
        if entry.generation != generation || entry.loaded.elapsed() >= FRESH_FOR {
            return None;
        }
        entry.value.downcast_ref::<T>().cloned()
    }

    /// Forgets everything when the database's counter moved since it was last read.
    pub(super) fn observe(&self, database_generation: i64) {
        let before = self.seen.swap(database_generation, Ordering::AcqRel);
        if before != database_generation {
            self.invalidate();
        }
    }

    /// Forgets everything: configuration may have changed.
    pub(super) fn invalidate(&self) {
        let mut entries = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        // The map holds no invariant a panicking holder could break halfway.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
