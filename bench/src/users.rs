//! Who creates tickets, and how the usernames a server names map to the usernames to send.

use std::collections::HashMap;
use std::path::Path;

use crate::Error;

/// The creators (spread over the virtual users) and the optional username mapping.
#[derive(Debug, Clone)]
pub struct Users {
    creators: Vec<String>,
    map: HashMap<String, String>,
}

impl Users {
    /// `creators` is a comma list; the map sends the server's usernames as other names, for
    /// servers whose handler names differ from the names callers sign as.
    pub fn new(creators: &str, map: HashMap<String, String>) -> Result<Users, Error> {
        let creators: Vec<String> = creators
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect();
        if creators.is_empty() {
            return Err(Error::Setup("give at least one creator".into()));
        }
        Ok(Users { creators, map })
    }

    /// Reads a JSON object `{"server name": "name to send", ...}`.
    pub fn read_map(path: &Path) -> Result<HashMap<String, String>, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| Error::Setup(format!("cannot read the user map {}: {error}", path.display())))?;
        serde_json::from_str(&text).map_err(|error| {
            Error::Setup(format!(
                "the user map {} is not a JSON object of names: {error}",
                path.display()
            ))
        })
    }

    pub fn creators(&self) -> &[String] {
        &self.creators
    }

    pub fn map(&self) -> &HashMap<String, String> {
        &self.map
    }

    /// The creator of the `serial`-th ticket.
    pub fn creator(&self, serial: u64) -> &str {
        &self.creators[(serial % self.creators.len() as u64) as usize]
    }

    /// The name to send for a username the server named.
    pub fn send_as<'a>(&'a self, server_name: &'a str) -> &'a str {
        self.map.get(server_name).map_or(server_name, String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creators_take_turns_and_unmapped_names_are_sent_as_they_are() {
        let map = HashMap::from([("admin".to_string(), "root".to_string())]);
        let users = Users::new("webb, ops,", map).expect("creators");
        let turns: Vec<&str> = (0..3).map(|serial| users.creator(serial)).collect();
        assert_eq!(turns, ["webb", "ops", "webb"]);
        assert_eq!(users.send_as("admin"), "root");
        assert_eq!(users.send_as("hr"), "hr");
        assert!(Users::new(" , ", HashMap::new()).is_err());
    }
}
