//! Condition expressions for workflow transitions.
//!
//! Loonflow evaluated transition conditions with Python's `eval` after splicing field values
//! into the text, so a field value or an admin-written condition could run arbitrary code.
//! This module replaces that with a small language that looks like the Python subset loonflow
//! users wrote, but can do nothing except compute a value:
//!
//! - literals: integers, floats (`1.5`, `.5`, `1e3`), strings in `'…'`, `"…"`, `'''…'''` or
//!   `"""…"""` with the escapes `\\ \' \" \n \t \r`, `True`/`true`, `False`/`false`,
//!   `None`/`null`, lists `[a, b]` and tuples `(a, b)`, `(a,)`;
//! - placeholders `{key}` (key made of letters, digits, `_` and `.`), each bound to a typed
//!   [`Value`] by the caller, never spliced into the text;
//! - operators with Python's precedence and semantics, lowest first: `or`, `and`, `not`,
//!   comparisons (`< <= > >= == != in`, `not in`, chainable as in `1 < x <= 3`), `+ -`,
//!   `* / // %`, unary `- +`;
//! - dates, datetimes and durations: `-` between two of them gives a duration, a duration can be
//!   added to or subtracted from them, and a date or datetime compares with a string written as
//!   `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS]`;
//! - only these calls: `datetime.datetime.strptime(s, fmt)`, `datetime.datetime.now()`,
//!   `datetime.date.today()`, `datetime.timedelta(weeks=, days=, hours=, minutes=, seconds=)`,
//!   `time.time()`, `len`, `int`, `float`, `str`, `abs`, `min`, `max`.
//!
//! Any other name, attribute access, subscript or call is rejected when the expression is parsed.
//! The current time comes from the caller, so evaluation is deterministic.
//!
//! Limits keep an admin-written expression from hurting the server: at most 4096 characters of
//! source, nesting at most 64 levels deep, at most 1000 elements in a list literal or call, no
//! string result longer than 1 MiB and no more than 8 MiB of strings built by one evaluation.
//! Integer overflow is an error. Parsing and evaluation report errors and never panic.
//!
//! ```text
//! let condition = Expression::parse("{leave_days} > 3 and {leave_days} <= 10")?;
//! let lookup = |key: &str| (key == "leave_days").then_some(Value::Int(5));
//! assert!(condition.holds(&lookup, now)?);
//! ```

mod builtins;
mod eval;
mod lexer;
mod operators;
mod parser;
#[cfg(test)]
mod tests;
mod value;

use chrono::NaiveDateTime;

pub use self::value::Value;

/// Why a source text is not a valid expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at position {position}: {message}")]
pub struct ParseError {
    /// 0-based offset, in characters, of the offending token.
    pub position: usize,
    pub message: String,
}

impl ParseError {
    fn new(position: usize, message: impl Into<String>) -> Self {
        ParseError {
            position,
            message: message.into(),
        }
    }
}

/// Why a valid expression could not be evaluated with the given field values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    pub message: String,
}

impl EvalError {
    fn new(message: impl Into<String>) -> Self {
        EvalError {
            message: message.into(),
        }
    }
}

/// A parsed condition expression, ready to be evaluated any number of times.
#[derive(Debug, Clone)]
pub struct Expression {
    source: String,
    root: parser::Node,
    placeholders: Vec<String>,
}

impl Expression {
    /// Parses `source`, rejecting anything outside the language (see the module docs).
    pub fn parse(source: &str) -> Result<Expression, ParseError> {
        let tokens = lexer::tokenize(source)?;
        let end = source.chars().count();
        let parsed = parser::parse(&tokens, end)?;
        Ok(Expression {
            source: source.to_owned(),
            root: parsed.root,
            placeholders: parsed.placeholders,
        })
    }

    /// The distinct placeholder keys, in the order they first appear.
    pub fn placeholders(&self) -> Vec<String> {
        self.placeholders.clone()
    }

    /// The text the expression was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates the expression like Python would, so `and`/`or` return one of their operands.
    ///
    /// `lookup` returns the typed value of a placeholder, or `None` when the key is unknown,
    /// which is an error ("unknown field {key}"). Placeholders on the side of `and`/`or` that is
    /// not evaluated are never looked up. `now` is what `datetime.datetime.now()` and
    /// `datetime.date.today()` return; `time.time()` reads it as UTC.
    pub fn evaluate(&self, lookup: &dyn Fn(&str) -> Option<Value>, now: NaiveDateTime) -> Result<Value, EvalError> {
        eval::evaluate(&self.root, lookup, now)
    }

    /// Evaluates the expression as a condition: the truthiness of its value.
    pub fn holds(&self, lookup: &dyn Fn(&str) -> Option<Value>, now: NaiveDateTime) -> Result<bool, EvalError> {
        self.evaluate(lookup, now).map(|value| value.is_truthy())
    }
}
