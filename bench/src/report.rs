//! What a run measured: sections of per-endpoint rows, printed as a table or written as JSON.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::Error;
use crate::stats::percentile;

/// A whole run: the scenario, its parameters and what each phase measured.
#[derive(Debug, Serialize)]
pub struct Report {
    pub scenario: String,
    pub parameters: Value,
    pub sections: Vec<Section>,
}

/// One phase of a run (the lifecycles, the seeding, the list queries).
#[derive(Debug, Serialize)]
pub struct Section {
    pub name: String,
    pub wall_secs: f64,
    pub rows: Vec<Row>,
    pub errors: Vec<ErrorCount>,
}

/// One endpoint (or aggregate such as a whole lifecycle): successes, failures, throughput over
/// the wall time it was measured in, and latency percentiles of the successes.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub endpoint: String,
    pub ok: u64,
    pub errors: u64,
    pub wall_secs: f64,
    pub throughput_per_sec: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// How often one endpoint failed with one message (digits grouped as `N`).
#[derive(Debug, Clone, Serialize)]
pub struct ErrorCount {
    pub endpoint: String,
    pub message: String,
    pub count: u64,
}

fn millis(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

impl Row {
    /// A row from ascending latency samples in microseconds.
    pub fn new(endpoint: &str, sorted_micros: &[u64], errors: u64, wall: Duration) -> Row {
        let ok = sorted_micros.len() as u64;
        let wall_secs = wall.as_secs_f64();
        Row {
            endpoint: endpoint.to_string(),
            ok,
            errors,
            wall_secs,
            throughput_per_sec: if wall_secs > 0.0 { ok as f64 / wall_secs } else { 0.0 },
            p50_ms: millis(percentile(sorted_micros, 50.0)),
            p95_ms: millis(percentile(sorted_micros, 95.0)),
            p99_ms: millis(percentile(sorted_micros, 99.0)),
            max_ms: millis(sorted_micros.last().copied().unwrap_or(0)),
        }
    }
}

impl Section {
    /// The row of `endpoint`, if anything was measured under that name.
    pub fn row(&self, endpoint: &str) -> Option<&Row> {
        self.rows.iter().find(|row| row.endpoint == endpoint)
    }
}

impl Report {
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|section| section.name == name)
    }

    /// Failed operations over all sections and rows.
    pub fn total_errors(&self) -> u64 {
        self.sections
            .iter()
            .flat_map(|section| &section.rows)
            .map(|row| row.errors)
            .sum()
    }

    /// The human form: one table per section, then the errors by message.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        for section in &self.sections {
            let _ = writeln!(out, "\n== {} ({:.2} s)", section.name, section.wall_secs);
            let width = section
                .rows
                .iter()
                .map(|row| row.endpoint.chars().count())
                .max()
                .unwrap_or(0)
                .max("endpoint".len());
            let _ = writeln!(
                out,
                "{:<width$}  {:>8} {:>7} {:>10} {:>8} {:>8} {:>8} {:>8}",
                "endpoint", "ok", "errors", "per sec", "p50 ms", "p95 ms", "p99 ms", "max ms"
            );
            for row in &section.rows {
                let _ = writeln!(
                    out,
                    "{:<width$}  {:>8} {:>7} {:>10.1} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
                    row.endpoint,
                    row.ok,
                    row.errors,
                    row.throughput_per_sec,
                    row.p50_ms,
                    row.p95_ms,
                    row.p99_ms,
                    row.max_ms
                );
            }
            if !section.errors.is_empty() {
                let _ = writeln!(out, "errors by message:");
                for error in &section.errors {
                    let _ = writeln!(out, "{:>8}  {}: {}", error.count, error.endpoint, error.message);
                }
            }
        }
        out
    }

    pub fn write_json(&self, path: &Path) -> Result<(), Error> {
        let text = serde_json::to_string_pretty(self).map_err(|error| Error::Setup(error.to_string()))?;
        std::fs::write(path, text + "\n").map_err(|source| Error::Write {
            path: path.display().to_string(),
            source,
        })
    }
}
