//! The wasmtime runtime: one engine per process with an epoch ticker, components compiled once
//! per content hash with an `InstancePre` per component, and a fresh sandboxed store per call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, Trap};
use wasmtime_wasi::{Deterministic, HostMonotonicClock, HostWallClock, WasiCtxBuilder};

use super::bindings::{condition, formatter, hook, resolver};
use super::capture::Capture;
use super::error::PluginError;
use super::host::{HostCallLimit, HostState, MemoryLimiter, Outbound};
use super::input::{CallInput, FieldValue};
use super::kind::Kind;
use super::limits::{CEILING, Limits};

/// How often the epoch advances: the resolution of the wall-clock limit.
const EPOCH_TICK: Duration = Duration::from_millis(10);
/// Plugin output (stdout, stderr and log calls) kept per call.
const CAPTURE_BYTES: usize = 64 << 10;
/// Plugin instances alive at once; more concurrent calls wait or fail.
pub const MAX_CONCURRENT_CALLS: u32 = 64;

/// A component ready to run: compiled and linked once, instantiated per call.
pub struct Compiled {
    pub kind: Kind,
    /// Hex SHA-256 of the component bytes.
    pub hash: String,
    prepared: Prepared,
}

enum Prepared {
    Resolver(resolver::ParticipantResolverPre<HostState>),
    Condition(condition::ConditionEvaluatorPre<HostState>),
    Hook(hook::HookPre<HostState>),
    Formatter(formatter::NoticeFormatterPre<HostState>),
}

/// What a call did and used.
#[derive(Debug, Clone)]
pub struct CallReport<T> {
    pub result: Result<T, PluginError>,
    pub fuel_used: u64,
    pub peak_memory: u64,
    pub elapsed: Duration,
    /// The plugin's stdout, stderr and log lines, capped.
    pub output: String,
}

/// What a hook plugin answers.
#[derive(Debug, Clone, PartialEq)]
pub struct HookOutcome {
    pub updates: Vec<(String, FieldValue)>,
    pub suggestion: String,
    pub next: HookNext,
}

/// What the ticket does after a hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookNext {
    Transition(String),
    Wait,
    Fail(String),
}

impl HookOutcome {
    pub fn to_json(&self) -> serde_json::Value {
        let updates: serde_json::Map<String, serde_json::Value> = self
            .updates
            .iter()
            .map(|(key, value)| (key.clone(), value.to_json()))
            .collect();
        let next = match &self.next {
            HookNext::Transition(name) => serde_json::json!({"transition": name}),
            HookNext::Wait => serde_json::json!("wait"),
            HookNext::Fail(reason) => serde_json::json!({"fail": reason}),
        };
        serde_json::json!({"updates": updates, "suggestion": self.suggestion, "next": next})
    }
}

/// A notice as a formatter renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedNotice {
    pub title: String,
    pub content: String,
}

struct FixedClock(Duration);

impl HostWallClock for FixedClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn now(&self) -> Duration {
        self.0
    }
}

struct FixedMonotonic;

impl HostMonotonicClock for FixedMonotonic {
    fn resolution(&self) -> u64 {
        1
    }

    fn now(&self) -> u64 {
        0
    }
}

/// The plugin runtime of this process.
pub struct PluginRuntime {
    engine: Engine,
    linker: Linker<HostState>,
    compiled: Mutex<HashMap<(String, Kind), Arc<Compiled>>>,
    /// The client of hooks' outbound HTTP.
    http: reqwest::Client,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Hex SHA-256 of component bytes: the identity of a plugin version's code.
pub fn content_hash(wasm: &[u8]) -> String {
    hex(&Sha256::digest(wasm))
}

impl PluginRuntime {
    pub fn new() -> Result<PluginRuntime, PluginError> {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(MAX_CONCURRENT_CALLS)
            .total_core_instances(MAX_CONCURRENT_CALLS * 8)
            .total_memories(MAX_CONCURRENT_CALLS * 4)
            .total_tables(MAX_CONCURRENT_CALLS * 8)
            .total_stacks(MAX_CONCURRENT_CALLS)
            .max_memory_size(CEILING.memory_bytes as usize);
        let mut config = Config::new();
        config
            .consume_fuel(true)
            .epoch_interruption(true)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).map_err(|error| PluginError::Unavailable(error.to_string()))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|error| PluginError::Unavailable(error.to_string()))?;
        hook::Hook::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(&mut linker, |state| state)
            .map_err(|error| PluginError::Unavailable(error.to_string()))?;
        let weak = engine.weak();
        std::thread::Builder::new()
            .name("plugin-epoch".into())
            .spawn(move || {
                while let Some(engine) = weak.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(EPOCH_TICK);
                }
            })
            .map_err(|error| PluginError::Unavailable(error.to_string()))?;
        Ok(PluginRuntime {
            engine,
            linker,
            compiled: Mutex::new(HashMap::new()),
            http: reqwest::Client::new(),
        })
    }

    /// Compiles and checks a component for `kind`, or takes it from the cache. Refused: a
    /// component that is not one, imports an interface its kind may not use (named), or does
    /// not export its kind's world.
    pub fn compile(&self, wasm: &[u8], kind: Kind) -> Result<Arc<Compiled>, PluginError> {
        let hash = content_hash(wasm);
        if let Some(found) = self
            .compiled
            .lock()
            .ok()
            .and_then(|cache| cache.get(&(hash.clone(), kind)).cloned())
        {
            return Ok(found);
        }
        let component = Component::new(&self.engine, wasm)
            .map_err(|error| PluginError::Invalid(format!("not a valid WebAssembly component: {error}")))?;
        for (name, _) in component.component_type().imports(&self.engine) {
            if !kind.allows_import(name) {
                return Err(PluginError::Invalid(format!(
                    "imports {name}, which a {kind} plugin may not use"
                )));
            }
        }
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|error| PluginError::Invalid(format!("imports what the host does not provide: {error}")))?;
        let missing = |error: wasmtime::Error| {
            PluginError::Invalid(format!(
                "does not export the {kind} world of grebe:plugin@1.0.0: {error}"
            ))
        };
        let prepared = match kind {
            Kind::ParticipantResolver => {
                Prepared::Resolver(resolver::ParticipantResolverPre::new(pre).map_err(missing)?)
            }
            Kind::ConditionEvaluator => {
                Prepared::Condition(condition::ConditionEvaluatorPre::new(pre).map_err(missing)?)
            }
            Kind::Hook => Prepared::Hook(hook::HookPre::new(pre).map_err(missing)?),
            Kind::NoticeFormatter => Prepared::Formatter(formatter::NoticeFormatterPre::new(pre).map_err(missing)?),
        };
        let compiled = Arc::new(Compiled {
            kind,
            hash: hash.clone(),
            prepared,
        });
        if let Ok(mut cache) = self.compiled.lock() {
            cache.insert((hash, kind), compiled.clone());
        }
        Ok(compiled)
    }

    fn store(
        &self,
        compiled: &Compiled,
        limits: &Limits,
        label: &str,
        input: &CallInput,
    ) -> (Store<HostState>, Capture) {
        let capture = Capture::new(CAPTURE_BYTES);
        let mut wasi = WasiCtxBuilder::new();
        wasi.stdout(capture.clone())
            .stderr(capture.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        if compiled.kind.is_pure() {
            // The same ticket must always get the same answer: time stands at the ticket's
            // creation and random numbers follow from the ticket and the code.
            let seed = Sha256::new()
                .chain_update(input.ticket.id.to_le_bytes())
                .chain_update(input.ticket.sn.as_bytes())
                .chain_update(compiled.hash.as_bytes())
                .finalize();
            let created = input
                .ticket
                .fields
                .iter()
                .find(|(key, _)| key == "gmt_created")
                .and_then(|(_, value)| match value {
                    FieldValue::Text(text) => chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok(),
                    _ => None,
                })
                .map_or(0, |time| time.and_utc().timestamp().max(0) as u64);
            let mut short_seed = [0u8; 16];
            short_seed.copy_from_slice(&seed[..16]);
            wasi.wall_clock(FixedClock(Duration::from_secs(created)))
                .monotonic_clock(FixedMonotonic)
                .secure_random(Deterministic::new(seed.to_vec()))
                .insecure_random(Deterministic::new(seed.to_vec()))
                .insecure_random_seed(u128::from_le_bytes(short_seed));
        }
        let state = HostState {
            wasi: wasi.build(),
            table: ResourceTable::new(),
            limiter: MemoryLimiter {
                limit: limits.memory_bytes as usize,
                peak: 0,
                refused: false,
            },
            directory: input.directory.clone(),
            fields: input.ticket.fields.iter().cloned().collect(),
            parent_fields: input.parent_fields.iter().cloned().collect(),
            label: label.to_string(),
            log: Capture::new(CAPTURE_BYTES),
            host_calls: 0,
            max_host_calls: limits.host_calls,
            outbound: Outbound {
                client: self.http.clone(),
                allowed_hosts: input.allowed_hosts.clone(),
                deadline: Instant::now() + Duration::from_millis(limits.time_ms),
                max_answer_bytes: limits.output_bytes.min(crate::outbound::MAX_ANSWER_BYTES as u64) as usize,
            },
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limiter);
        // Setting fuel cannot fail: fuel is enabled for this engine.
        let _ = store.set_fuel(limits.fuel);
        store.set_epoch_deadline(limits.time_ms.div_ceil(EPOCH_TICK.as_millis() as u64).max(1) + 1);
        store.epoch_deadline_trap();
        (store, capture)
    }

    /// Runs `call` on a fresh instance within `limits` and reports what happened.
    fn run<T>(
        &self,
        compiled: &Compiled,
        limits: &Limits,
        label: &str,
        input: &CallInput,
        size_of: impl Fn(&T) -> usize,
        call: impl FnOnce(&Prepared, &mut Store<HostState>) -> wasmtime::Result<Result<T, String>>,
    ) -> CallReport<T> {
        let started = Instant::now();
        if input.size() as u64 > limits.input_bytes {
            return CallReport {
                result: Err(PluginError::Limit {
                    limit: "input",
                    detail: format!("{} bytes in, {} allowed", input.size(), limits.input_bytes),
                }),
                fuel_used: 0,
                peak_memory: 0,
                elapsed: started.elapsed(),
                output: String::new(),
            };
        }
        let (mut store, capture) = self.store(compiled, limits, label, input);
        let outcome = call(&compiled.prepared, &mut store);
        let fuel_used = limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0));
        let elapsed = started.elapsed();
        let state = store.data();
        let result = match outcome {
            Ok(Ok(value)) if size_of(&value) as u64 > limits.output_bytes => Err(PluginError::Limit {
                limit: "output",
                detail: format!("answered {} bytes, {} allowed", size_of(&value), limits.output_bytes),
            }),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(message)) => Err(PluginError::Refused(message)),
            Err(error) => Err(classify(&error, state, limits, elapsed, &capture)),
        };
        // Log calls were traced as they came; stdout and stderr are traced now.
        let stdio = capture.text();
        if !stdio.is_empty() {
            tracing::info!(plugin = %label, "output:\n{stdio}");
        }
        let output = [stdio, state.log.text()]
            .into_iter()
            .filter(|text| !text.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        CallReport {
            result,
            fuel_used,
            peak_memory: state.limiter.peak as u64,
            elapsed,
            output,
        }
    }

    pub fn resolve(
        &self,
        compiled: &Compiled,
        limits: &Limits,
        label: &str,
        input: &CallInput,
    ) -> CallReport<Vec<String>> {
        let ticket = input.wit_ticket();
        self.run(
            compiled,
            limits,
            label,
            input,
            |names: &Vec<String>| names.iter().map(String::len).sum(),
            |prepared, store| {
                let Prepared::Resolver(pre) = prepared else {
                    return Ok(Err(wrong_kind(Kind::ParticipantResolver)));
                };
                pre.instantiate(&mut *store)?
                    .call_resolve(&mut *store, &ticket, &input.args)
            },
        )
    }

    pub fn evaluate(&self, compiled: &Compiled, limits: &Limits, label: &str, input: &CallInput) -> CallReport<bool> {
        let ticket = input.wit_ticket();
        self.run(
            compiled,
            limits,
            label,
            input,
            |_: &bool| 1,
            |prepared, store| {
                let Prepared::Condition(pre) = prepared else {
                    return Ok(Err(wrong_kind(Kind::ConditionEvaluator)));
                };
                pre.instantiate(&mut *store)?
                    .call_evaluate(&mut *store, &ticket, &input.args)
            },
        )
    }

    pub fn run_hook(
        &self,
        compiled: &Compiled,
        limits: &Limits,
        label: &str,
        input: &CallInput,
    ) -> CallReport<HookOutcome> {
        let ticket = input.wit_ticket();
        let size = |outcome: &HookOutcome| {
            outcome.suggestion.len()
                + outcome
                    .updates
                    .iter()
                    .map(|(key, value)| key.len() + value.size())
                    .sum::<usize>()
        };
        self.run(compiled, limits, label, input, size, |prepared, store| {
            let Prepared::Hook(pre) = prepared else {
                return Ok(Err(wrong_kind(Kind::Hook)));
            };
            let outcome = pre
                .instantiate(&mut *store)?
                .call_run(&mut *store, &ticket, &input.args)?;
            Ok(outcome.map(|outcome| HookOutcome {
                updates: outcome
                    .updates
                    .iter()
                    .map(|field| (field.key.clone(), FieldValue::from_wit(&field.value)))
                    .collect(),
                suggestion: outcome.suggestion,
                next: match outcome.next {
                    hook::Next::Transition(name) => HookNext::Transition(name),
                    hook::Next::Wait => HookNext::Wait,
                    hook::Next::Fail(reason) => HookNext::Fail(reason),
                },
            }))
        })
    }

    pub fn format_notice(
        &self,
        compiled: &Compiled,
        limits: &Limits,
        label: &str,
        input: &CallInput,
        templates: (&str, &str),
    ) -> CallReport<RenderedNotice> {
        let ticket = input.wit_ticket();
        self.run(
            compiled,
            limits,
            label,
            input,
            |notice: &RenderedNotice| notice.title.len() + notice.content.len(),
            |prepared, store| {
                let Prepared::Formatter(pre) = prepared else {
                    return Ok(Err(wrong_kind(Kind::NoticeFormatter)));
                };
                let rendered = pre.instantiate(&mut *store)?.call_format(
                    &mut *store,
                    &ticket,
                    templates.0,
                    templates.1,
                    &input.args,
                )?;
                Ok(rendered.map(|notice| RenderedNotice {
                    title: notice.title,
                    content: notice.content,
                }))
            },
        )
    }
}

impl PluginRuntime {
    /// Calls a compiled plugin of any kind and gives its answer as JSON: a resolver's list of
    /// usernames, an evaluator's boolean, a formatter's `{title, content}` (from `templates`),
    /// a hook's outcome.
    pub fn call_json(
        &self,
        compiled: &Compiled,
        limits: &Limits,
        label: &str,
        input: &CallInput,
        templates: (&str, &str),
    ) -> CallReport<serde_json::Value> {
        match compiled.kind {
            Kind::ParticipantResolver => self
                .resolve(compiled, limits, label, input)
                .map(|names| serde_json::json!(names)),
            Kind::ConditionEvaluator => self
                .evaluate(compiled, limits, label, input)
                .map(serde_json::Value::Bool),
            Kind::NoticeFormatter => self
                .format_notice(compiled, limits, label, input, templates)
                .map(|notice| serde_json::json!({"title": notice.title, "content": notice.content})),
            Kind::Hook => self
                .run_hook(compiled, limits, label, input)
                .map(|outcome| outcome.to_json()),
        }
    }
}

impl<T> CallReport<T> {
    /// The same report with its answer converted.
    pub fn map<U>(self, convert: impl FnOnce(T) -> U) -> CallReport<U> {
        CallReport {
            result: self.result.map(convert),
            fuel_used: self.fuel_used,
            peak_memory: self.peak_memory,
            elapsed: self.elapsed,
            output: self.output,
        }
    }
}

fn wrong_kind(kind: Kind) -> String {
    format!("this plugin is not a {kind}")
}

/// Names the limit or the crash behind a failed call.
fn classify(
    error: &wasmtime::Error,
    state: &HostState,
    limits: &Limits,
    elapsed: Duration,
    capture: &Capture,
) -> PluginError {
    if let Some(HostCallLimit(max)) = error.downcast_ref::<HostCallLimit>() {
        return PluginError::Limit {
            limit: "host calls",
            detail: format!("more than {max} host calls"),
        };
    }
    if state.limiter.refused {
        return PluginError::Limit {
            limit: "memory",
            detail: format!("needed more than {} bytes of memory", limits.memory_bytes),
        };
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => PluginError::Limit {
            limit: "fuel",
            detail: format!("used all {} fuel", limits.fuel),
        },
        Some(Trap::Interrupt) => PluginError::Limit {
            limit: "time",
            detail: format!(
                "still running after {} ms (limit {} ms)",
                elapsed.as_millis(),
                limits.time_ms
            ),
        },
        Some(Trap::StackOverflow) => PluginError::Limit {
            limit: "stack",
            detail: "recursed deeper than its stack allows".into(),
        },
        _ => {
            let reason = error.root_cause().to_string();
            match panic_message(&capture.text()) {
                Some(message) => PluginError::Trapped(format!("panicked: {message} ({reason})")),
                None => PluginError::Trapped(reason),
            }
        }
    }
}

/// The message of a Rust panic the plugin printed to stderr before trapping:
/// `thread '…' panicked at src/lib.rs:1:2:` followed by the message lines.
fn panic_message(output: &str) -> Option<String> {
    let mut lines = output.lines().skip_while(|line| !line.contains(" panicked at "));
    let location = lines
        .next()?
        .split(" panicked at ")
        .nth(1)?
        .trim_end_matches(':')
        .to_string();
    let message: Vec<&str> = lines.take_while(|line| !line.starts_with("note: ")).collect();
    Some(format!("{} at {location}", message.join(" ").trim()))
}
