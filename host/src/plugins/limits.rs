//! What one plugin call may use.

/// Per-plugin limits; every call gets a fresh budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// WebAssembly fuel (roughly instructions).
    pub fuel: u64,
    /// Linear memory, in bytes.
    pub memory_bytes: u64,
    /// Wall-clock time, in milliseconds.
    pub time_ms: u64,
    /// Size of the ticket and arguments passed in, in bytes.
    pub input_bytes: u64,
    /// Size of the answer, in bytes.
    pub output_bytes: u64,
    /// Calls of host functions (directory and field look-ups, logging, HTTP).
    pub host_calls: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: 200_000_000,
            memory_bytes: 64 << 20,
            time_ms: 1_000,
            input_bytes: 1 << 20,
            output_bytes: 1 << 20,
            host_calls: 10_000,
        }
    }
}

/// The most an admin may grant, so that no plugin can take the server down.
pub const CEILING: Limits = Limits {
    fuel: 20_000_000_000,
    memory_bytes: 256 << 20,
    time_ms: 30_000,
    input_bytes: 16 << 20,
    output_bytes: 16 << 20,
    host_calls: 1_000_000,
};

impl Limits {
    /// Refuses a limit of zero or above the ceiling, naming it.
    pub fn check(&self) -> Result<(), String> {
        let pairs = [
            ("fuel", self.fuel, CEILING.fuel),
            ("memory_bytes", self.memory_bytes, CEILING.memory_bytes),
            ("time_ms", self.time_ms, CEILING.time_ms),
            ("input_bytes", self.input_bytes, CEILING.input_bytes),
            ("output_bytes", self.output_bytes, CEILING.output_bytes),
            ("host_calls", self.host_calls, CEILING.host_calls),
        ];
        for (name, value, ceiling) in pairs {
            if value == 0 || value > ceiling {
                return Err(format!("limit {name} must be between 1 and {ceiling}, got {value}"));
            }
        }
        Ok(())
    }
}
