//! One trait and one export macro per plugin kind.

#[cfg(feature = "participant-resolver")]
mod resolver {
    use crate::Ticket;

    /// Names the people who handle a state. `args` is the JSON text the state configures.
    pub trait ParticipantResolver {
        fn resolve(ticket: Ticket, args: &str) -> Result<Vec<String>, String>;
    }

    /// Exports a [`ParticipantResolver`] as this component's implementation.
    #[macro_export]
    macro_rules! export_participant_resolver {
        ($plugin:ty) => {
            struct GrebeExportedPlugin;
            impl $crate::bindings::Guest for GrebeExportedPlugin {
                fn resolve(ticket: $crate::Ticket, args: String) -> Result<Vec<String>, String> {
                    <$plugin as $crate::ParticipantResolver>::resolve(ticket, &args)
                }
            }
            $crate::bindings::export!(GrebeExportedPlugin with_types_in $crate::bindings);
        };
    }
}
#[cfg(feature = "participant-resolver")]
pub use resolver::ParticipantResolver;

#[cfg(feature = "condition-evaluator")]
mod condition {
    use crate::Ticket;

    /// Decides whether a condition entry holds for a ticket. It runs with a fixed clock and
    /// fixed random numbers per ticket, so the same ticket always gets the same answer.
    pub trait ConditionEvaluator {
        fn evaluate(ticket: Ticket, args: &str) -> Result<bool, String>;
    }

    /// Exports a [`ConditionEvaluator`] as this component's implementation.
    #[macro_export]
    macro_rules! export_condition_evaluator {
        ($plugin:ty) => {
            struct GrebeExportedPlugin;
            impl $crate::bindings::Guest for GrebeExportedPlugin {
                fn evaluate(ticket: $crate::Ticket, args: String) -> Result<bool, String> {
                    <$plugin as $crate::ConditionEvaluator>::evaluate(ticket, &args)
                }
            }
            $crate::bindings::export!(GrebeExportedPlugin with_types_in $crate::bindings);
        };
    }
}
#[cfg(feature = "condition-evaluator")]
pub use condition::ConditionEvaluator;

#[cfg(feature = "hook")]
mod hook {
    use crate::Ticket;
    pub use crate::bindings::{Next, Outcome};

    /// Runs when a ticket enters a state; answers with field updates, a suggestion for the
    /// log, and what the ticket does next.
    pub trait Hook {
        fn run(ticket: Ticket, args: &str) -> Result<Outcome, String>;
    }

    /// Exports a [`Hook`] as this component's implementation.
    #[macro_export]
    macro_rules! export_hook {
        ($plugin:ty) => {
            struct GrebeExportedPlugin;
            impl $crate::bindings::Guest for GrebeExportedPlugin {
                fn run(ticket: $crate::Ticket, args: String) -> Result<$crate::Outcome, String> {
                    <$plugin as $crate::Hook>::run(ticket, &args)
                }
            }
            $crate::bindings::export!(GrebeExportedPlugin with_types_in $crate::bindings);
        };
    }
}
#[cfg(feature = "hook")]
pub use hook::{Hook, Next, Outcome};

#[cfg(feature = "notice-formatter")]
mod formatter {
    use crate::Ticket;
    pub use crate::bindings::Notice;

    /// Renders a notice's title and content from the workflow's templates. It runs with a
    /// fixed clock and fixed random numbers per ticket.
    pub trait NoticeFormatter {
        fn format(ticket: Ticket, title_template: &str, content_template: &str, args: &str) -> Result<Notice, String>;
    }

    /// Exports a [`NoticeFormatter`] as this component's implementation.
    #[macro_export]
    macro_rules! export_notice_formatter {
        ($plugin:ty) => {
            struct GrebeExportedPlugin;
            impl $crate::bindings::Guest for GrebeExportedPlugin {
                fn format(
                    ticket: $crate::Ticket,
                    title_template: String,
                    content_template: String,
                    args: String,
                ) -> Result<$crate::Notice, String> {
                    <$plugin as $crate::NoticeFormatter>::format(ticket, &title_template, &content_template, &args)
                }
            }
            $crate::bindings::export!(GrebeExportedPlugin with_types_in $crate::bindings);
        };
    }
}
#[cfg(feature = "notice-formatter")]
pub use formatter::{Notice, NoticeFormatter};
