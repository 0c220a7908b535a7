//! A resolver whose arguments choose how it misbehaves, so one component covers every way a
//! plugin can try to hurt the server. `{"mode": "…"}`; any other mode behaves well.

use grebe_plugin_sdk::{ParticipantResolver, Ticket, directory, log};

struct Hostile;

fn recurse(depth: u64) -> u64 {
    // Never true, but the compiler cannot know; the addition keeps it from becoming a loop.
    if std::hint::black_box(depth) == u64::MAX {
        return 0;
    }
    recurse(depth + 1) + std::hint::black_box(1)
}

impl ParticipantResolver for Hostile {
    fn resolve(ticket: Ticket, args: &str) -> Result<Vec<String>, String> {
        let mode = args.split('"').nth(3).unwrap_or("");
        match mode {
            "loop" => loop {
                std::hint::black_box(0);
            },
            "allocate" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1u8; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "recurse" => Ok(vec![recurse(0).to_string()]),
            "trap" => panic!("this plugin panics on purpose"),
            "huge-output" => Ok(vec!["x".repeat(100 << 20)]),
            "open-file" => {
                let text = std::fs::read_to_string("/etc/passwd").map_err(|error| format!("open failed: {error}"))?;
                Ok(vec![text])
            }
            "read-env" => {
                let variables: Vec<String> = std::env::vars().map(|(key, value)| format!("{key}={value}")).collect();
                if variables.is_empty() { Err("the environment is empty".into()) } else { Ok(variables) }
            }
            "host-calls" => loop {
                std::hint::black_box(directory::user(&ticket.creator));
            },
            "chatty" => {
                for n in 0..2_000 {
                    println!("line {n} of a very chatty plugin");
                    log::info("and the log too");
                }
                Ok(vec![ticket.creator])
            }
            _ => Ok(vec![ticket.creator]),
        }
    }
}

grebe_plugin_sdk::export_participant_resolver!(Hostile);
