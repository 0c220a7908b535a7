//! The job worker every `grebe` process runs: it claims due jobs from the database with a
//! lease, runs them through the engine, and records the outcome, retrying passing failures
//! with backoff. Jobs are rows, so they outlive restarts; claims are compare-and-set, so two
//! processes never run one job at the same time.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::engine::{Engine, EngineError, HOOK_JOB, NOTICE_JOB, PARENT_JOB, TIMER_JOB};
use crate::store::{Job, JobEnd};

/// How long a claimed job is ours before another process may take it over.
const LEASE: TimeDelta = TimeDelta::seconds(60);
/// Jobs claimed per poll, and run at the same time.
const BATCH: i64 = 32;

/// Settings of the worker.
#[derive(Debug, Clone, Copy)]
pub struct WorkerConfig {
    pub poll: Duration,
    /// The first retry's delay; each further one doubles it.
    pub retry_base: Duration,
}

/// A unique name for this process's claims.
fn owner_name() -> String {
    let nonce: u32 = rand::random();
    format!("grebe-{}-{nonce:08x}", std::process::id())
}

/// Waits `base * 2^attempts`, at most ten minutes, before trying a job again.
fn backoff(base: Duration, attempts: i64) -> TimeDelta {
    let delay = base.saturating_mul(1 << attempts.clamp(0, 10));
    TimeDelta::from_std(delay)
        .unwrap_or(TimeDelta::MAX)
        .min(TimeDelta::minutes(10))
}

async fn run(engine: &Engine, config: &WorkerConfig, job: &Job) -> JobEnd {
    let last_attempt = job.attempts >= job.max_attempts;
    let result = match job.kind.as_str() {
        TIMER_JOB => engine.fire_timer(&job.payload).await,
        PARENT_JOB => engine.settle_parent(&job.payload).await,
        HOOK_JOB => engine.run_hook(&job.payload, last_attempt).await,
        NOTICE_JOB => engine.send_notice(job.id, &job.payload).await,
        other => Err(EngineError::Invalid(format!("unknown job kind {other:?}"))),
    };
    match result {
        Ok(outcome) => JobEnd::Done(outcome),
        // Only a storage failure or an unreachable receiver may pass; anything else would fail
        // the same way again.
        Err(error @ (EngineError::Store(_) | EngineError::Unavailable(_))) if !last_attempt => JobEnd::Retry {
            error: error.to_string(),
            at: crate::store::precise_now() + backoff(config.retry_base, job.attempts - 1),
        },
        Err(error) => JobEnd::Failed(error.to_string()),
    }
}

/// Runs the worker until `stop` turns true, then waits for the jobs in flight.
pub async fn work(engine: Engine, config: WorkerConfig, mut stop: watch::Receiver<bool>) {
    let owner = owner_name();
    let slots = Arc::new(Semaphore::new(BATCH as usize));
    let mut running = JoinSet::new();
    tracing::info!(%owner, "job worker started");
    while !*stop.borrow() {
        match engine.store().claim_jobs(&owner, LEASE, BATCH).await {
            Ok(jobs) => {
                if !jobs.is_empty()
                    && let Err(error) = engine.store().sync_config().await
                {
                    tracing::error!(%error, "could not read the configuration counter");
                }
                for job in jobs {
                    let Ok(slot) = slots.clone().acquire_owned().await else {
                        break;
                    };
                    let engine = engine.clone();
                    running.spawn(async move {
                        let end = run(&engine, &config, &job).await;
                        match &end {
                            JobEnd::Done(outcome) => {
                                tracing::info!(job = job.id, kind = %job.kind, %outcome, "job done")
                            }
                            JobEnd::Retry { error, at } => {
                                tracing::warn!(job = job.id, kind = %job.kind, %error, %at, "job will be retried")
                            }
                            JobEnd::Failed(error) => {
                                tracing::error!(job = job.id, kind = %job.kind, %error, "job failed")
                            }
                        }
                        if let Err(error) = engine.store().finish_job(&job, &end).await {
                            tracing::error!(job = job.id, %error, "could not record the job's outcome");
                        }
                        drop(slot);
                    });
                }
            }
            Err(error) => tracing::error!(%error, "could not claim jobs"),
        }
        while running.try_join_next().is_some() {}
        tokio::select! {
            _ = tokio::time::sleep(config.poll) => {}
            _ = stop.changed() => {}
        }
    }
    while running.join_next().await.is_some() {}
    tracing::info!("job worker stopped");
}
