//! The four kinds of plugin and what each may import.

use std::fmt;

/// What a plugin does; each kind is one WIT world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    ParticipantResolver,
    ConditionEvaluator,
    Hook,
    NoticeFormatter,
}

const PACKAGE: &str = "grebe:plugin/";

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::ParticipantResolver,
        Kind::ConditionEvaluator,
        Kind::Hook,
        Kind::NoticeFormatter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ParticipantResolver => "participant-resolver",
            Kind::ConditionEvaluator => "condition-evaluator",
            Kind::Hook => "hook",
            Kind::NoticeFormatter => "notice-formatter",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// Pure kinds see a fixed clock and fixed random numbers, so a ticket always gets the
    /// same answer.
    pub fn is_pure(self) -> bool {
        matches!(self, Kind::ConditionEvaluator | Kind::NoticeFormatter)
    }

    /// The host interfaces of Grebe's package this kind may import (its world's imports).
    fn grebe_imports(self) -> &'static [&'static str] {
        match self {
            Kind::ParticipantResolver | Kind::ConditionEvaluator => &["types", "log", "directory", "ticket-fields"],
            Kind::Hook => &["types", "log", "directory", "ticket-fields", "http"],
            Kind::NoticeFormatter => &["types", "log", "ticket-fields"],
        }
    }

    /// Whether a component of this kind may import `name` (`package/interface@version`).
    /// WASI interfaces are allowed (the runtime provides a sandbox with no files, environment
    /// or network); of Grebe's package, only the kind's world imports.
    pub fn allows_import(self, name: &str) -> bool {
        if name.starts_with("wasi:") {
            return true;
        }
        let Some(rest) = name.strip_prefix(PACKAGE) else {
            return false;
        };
        let (interface, version) = rest.split_once('@').unwrap_or((rest, ""));
        (version.is_empty() || version.starts_with("1.")) && self.grebe_imports().contains(&interface)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
