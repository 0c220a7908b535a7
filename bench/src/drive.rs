//! Running one piece of work many times with a fixed number of concurrent workers, for a
//! fixed count or a fixed time.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

/// When a phase stops: after this many operations, or once this much time has passed (work
/// already started then is finished, so the phase may run slightly longer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Count(u64),
    Duration(Duration),
}

/// Runs `work(0)`, `work(1)`, ... on `concurrency` workers until the budget is spent and
/// returns the wall time from the first start to the last finish.
pub async fn drive<F, Fut>(concurrency: usize, budget: Budget, work: F) -> Duration
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let work = Arc::new(work);
    let mut workers = JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let next = next.clone();
        let work = work.clone();
        workers.spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let spent = match budget {
                    Budget::Count(count) => index >= count,
                    Budget::Duration(limit) => started.elapsed() >= limit,
                };
                if spent {
                    break;
                }
                work(index).await;
            }
        });
    }
    while let Some(joined) = workers.join_next().await {
        if let Err(error) = joined
            && error.is_panic()
        {
            std::panic::resume_unwind(error.into_panic());
        }
    }
    started.elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_count_budget_runs_each_index_exactly_once() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = seen.clone();
        drive(3, Budget::Count(10), move |index| {
            let record = record.clone();
            async move { record.lock().unwrap().push(index) }
        })
        .await;
        let mut seen = seen.lock().unwrap().clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_duration_budget_stops_starting_work_when_it_is_over() {
        let wall = drive(2, Budget::Duration(Duration::from_millis(50)), |_| async {
            tokio::time::sleep(Duration::from_millis(10)).await
        })
        .await;
        assert!(
            wall >= Duration::from_millis(50) && wall < Duration::from_secs(2),
            "{wall:?}"
        );
    }
}
