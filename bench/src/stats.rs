//! Per-endpoint latency samples and error counts, shared by the workers of one phase.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::report::{ErrorCount, Row, Section};

/// Collects what the workers of one phase observe. Clones share the same tally.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Tally>>);

#[derive(Default)]
struct Tally {
    // Few endpoints per phase, so a vector in first-seen order beats a map and keeps the
    // report in the order the calls happen.
    endpoints: Vec<Endpoint>,
    messages: Vec<ErrorCount>,
}

struct Endpoint {
    name: String,
    micros: Vec<u64>,
    errors: u64,
}

impl Tally {
    fn endpoint(&mut self, name: &str) -> &mut Endpoint {
        let index = match self.endpoints.iter().position(|endpoint| endpoint.name == name) {
            Some(index) => index,
            None => {
                self.endpoints.push(Endpoint {
                    name: name.to_string(),
                    micros: Vec::new(),
                    errors: 0,
                });
                self.endpoints.len() - 1
            }
        };
        &mut self.endpoints[index]
    }
}

impl Recorder {
    fn with<T>(&self, apply: impl FnOnce(&mut Tally) -> T) -> T {
        // A worker that panicked mid-update leaves at worst one sample missing; keep counting.
        let mut tally = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        apply(&mut tally)
    }

    /// Lists `endpoint` from now on, before any result, so that an aggregate heads its table.
    pub fn declare(&self, endpoint: &str) {
        self.with(|tally| {
            tally.endpoint(endpoint);
        });
    }

    /// A successful operation and how long it took.
    pub fn ok(&self, endpoint: &str, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.with(|tally| tally.endpoint(endpoint).micros.push(micros));
    }

    /// A failed operation with the reason, counted under the endpoint and by message.
    pub fn error(&self, endpoint: &str, message: &str) {
        let message = normalise(message);
        self.with(|tally| {
            tally.endpoint(endpoint).errors += 1;
            match tally
                .messages
                .iter_mut()
                .find(|seen| seen.endpoint == endpoint && seen.message == message)
            {
                Some(seen) => seen.count += 1,
                None => tally.messages.push(ErrorCount {
                    endpoint: endpoint.to_string(),
                    message,
                    count: 1,
                }),
            }
        });
    }

    /// A failed aggregate (a lifecycle) whose reason was already recorded under the call that failed.
    pub fn failed(&self, endpoint: &str) {
        self.with(|tally| tally.endpoint(endpoint).errors += 1);
    }

    /// The phase as a report section named `name`, each row measured over `wall`.
    pub fn section(&self, name: &str, wall: Duration) -> Section {
        self.with(|tally| {
            let rows = tally
                .endpoints
                .iter_mut()
                .map(|endpoint| {
                    endpoint.micros.sort_unstable();
                    Row::new(&endpoint.name, &endpoint.micros, endpoint.errors, wall)
                })
                .collect();
            Section {
                name: name.to_string(),
                wall_secs: wall.as_secs_f64(),
                rows,
                errors: tally.messages.clone(),
            }
        })
    }
}

/// Ids and counts in messages would split one cause into thousands of lines; group them.
fn normalise(message: &str) -> String {
    let mut grouped = String::with_capacity(message.len());
    let mut in_number = false;
    for character in message.chars() {
        if character.is_ascii_digit() {
            if !in_number {
                grouped.push('N');
            }
            in_number = true;
        } else {
            grouped.push(character);
            in_number = false;
        }
    }
    grouped
}

/// The nearest-rank percentile of ascending samples (0 when there are none).
pub fn percentile(sorted: &[u64], percent: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_picks_the_smallest_sample_covering_the_share() {
        let samples: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&samples, 50.0), 50);
        assert_eq!(percentile(&samples, 95.0), 95);
        assert_eq!(percentile(&samples, 99.0), 99);
        assert_eq!(percentile(&samples, 100.0), 100);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[1, 2, 3], 50.0), 2);
        assert_eq!(percentile(&[], 50.0), 0);
    }

    #[test]
    fn errors_are_grouped_by_message_without_ids() {
        let recorder = Recorder::default();
        recorder.error("PATCH /tickets/{id}", "ticket 12 changed since version 3");
        recorder.error("PATCH /tickets/{id}", "ticket 977 changed since version 41");
        recorder.ok("PATCH /tickets/{id}", Duration::from_millis(2));
        let section = recorder.section("phase", Duration::from_secs(1));
        assert_eq!(section.rows.len(), 1);
        assert_eq!((section.rows[0].ok, section.rows[0].errors), (1, 2));
        assert_eq!(section.errors.len(), 1);
        assert_eq!(section.errors[0].message, "ticket N changed since version N");
        assert_eq!(section.errors[0].count, 2);
    }
}
