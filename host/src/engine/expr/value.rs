//! The typed values expressions compute with, and how Python would print them.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta, Timelike};

use super::EvalError;

/// Longest string, in bytes, that an operation may produce.
pub(super) const MAX_STRING_BYTES: usize = 1 << 20;

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// A typed value: what placeholders are bound to and what expressions produce.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Duration(TimeDelta),
    /// Lists and tuples alike.
    List(Vec<Value>),
}

impl Value {
    /// Python's truthiness: `None`, `False`, zero, `''`, `[]` and a zero duration are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(value) => *value,
            Value::Int(value) => *value != 0,
            Value::Float(value) => *value != 0.0,
            Value::Str(text) => !text.is_empty(),
            Value::Date(_) | Value::DateTime(_) => true,
            Value::Duration(duration) => !duration.is_zero(),
            Value::List(items) => !items.is_empty(),
        }
    }

    /// The Python type name, for error messages that read like Python's.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Date(_) => "date",
            Value::DateTime(_) => "datetime",
            Value::Duration(_) => "timedelta",
            Value::List(_) => "list",
        }
    }

    /// The value as a number, with `bool` counting as an integer as in Python.
    pub(super) fn as_number(&self) -> Option<Number> {
        match self {
            Value::Bool(value) => Some(Number::Int(i64::from(*value))),
            Value::Int(value) => Some(Number::Int(*value)),
            Value::Float(value) => Some(Number::Float(*value)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub(super) fn to_f64(self) -> f64 {
        match self {
            // Precision loss for huge integers is what Python does too.
            Number::Int(value) => value as f64,
            Number::Float(value) => value,
        }
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(value)
    }
}

impl From<f64> for Value {
    fn from(value: f64) -> Self {
        Value::Float(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Str(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Str(value)
    }
}

impl From<NaiveDate> for Value {
    fn from(value: NaiveDate) -> Self {
        Value::Date(value)
    }
}

impl From<NaiveDateTime> for Value {
    fn from(value: NaiveDateTime) -> Self {
        Value::DateTime(value)
    }
}

impl From<TimeDelta> for Value {
    fn from(value: TimeDelta) -> Self {
        Value::Duration(value)
    }
}

impl From<Vec<Value>> for Value {
    fn from(value: Vec<Value>) -> Self {
        Value::List(value)
    }
}

/// Formats like Python's `str()`, so `str(x)` and string building match what loonflow produced.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("None"),
            Value::Bool(true) => f.write_str("True"),
            Value::Bool(false) => f.write_str("False"),
            Value::Int(value) => write!(f, "{value}"),
            Value::Float(value) => write_float(f, *value),
            Value::Str(text) => f.write_str(text),
            Value::Date(date) => write!(f, "{}", date.format("%Y-%m-%d")),
            Value::DateTime(datetime) => {
                write!(f, "{}", datetime.format("%Y-%m-%d %H:%M:%S"))?;
                let micros = datetime.nanosecond() / 1000;
                if micros > 0 { write!(f, ".{micros:06}") } else { Ok(()) }
            }
            Value::Duration(duration) => write_duration(f, *duration),
            Value::List(items) => {
                f.write_str("[")?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    match item {
                        Value::Str(text) => write_quoted(f, text)?,
                        other => write!(f, "{other}")?,
                    }
                }
                f.write_str("]")
            }
        }
    }
}

/// Python's float repr: shortest round-trip digits, `.0` on whole numbers, and exponent
/// notation outside 1e-4 ≤ |x| < 1e16.
fn write_float(f: &mut fmt::Formatter<'_>, value: f64) -> fmt::Result {
    if value.is_nan() {
        return f.write_str("nan");
    }
    if value.is_infinite() {
        return f.write_str(if value > 0.0 { "inf" } else { "-inf" });
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..16).contains(&exponent) {
        let plain = value.to_string();
        if plain.contains('.') {
            f.write_str(&plain)
        } else {
            write!(f, "{plain}.0")
        }
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        write!(f, "{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    }
}

/// Python's timedelta str: `[-]D day[s], H:MM:SS[.ffffff]`, where only the day count is negative.
fn write_duration(f: &mut fmt::Formatter<'_>, duration: TimeDelta) -> fmt::Result {
    const MICROS_PER_DAY: i128 = 86_400_000_000;
    let micros = total_nanos(duration).div_euclid(1000);
    let days = micros.div_euclid(MICROS_PER_DAY);
    let within_day = micros.rem_euclid(MICROS_PER_DAY);
    let seconds = within_day / 1_000_000;
    let fraction = within_day % 1_000_000;
    if days != 0 {
        let plural = if days.abs() == 1 { "" } else { "s" };
        write!(f, "{days} day{plural}, ")?;
    }
    write!(f, "{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60)?;
    if fraction > 0 {
        write!(f, ".{fraction:06}")
    } else {
        Ok(())
    }
}

/// Python's str repr inside a list: single quotes unless the text holds only the other kind.
fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    write!(f, "{quote}")?;
    for c in text.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c == quote => write!(f, "\\{c}")?,
            c => write!(f, "{c}")?,
        }
    }
    write!(f, "{quote}")
}

pub(super) fn string_too_long() -> EvalError {
    EvalError::new(format!("string result would be longer than {MAX_STRING_BYTES} bytes"))
}

pub(super) fn ensure_string_fits(bytes: usize) -> Result<(), EvalError> {
    if bytes > MAX_STRING_BYTES {
        Err(string_too_long())
    } else {
        Ok(())
    }
}

pub(super) fn total_nanos(duration: TimeDelta) -> i128 {
    i128::from(duration.num_seconds()) * NANOS_PER_SECOND + i128::from(duration.subsec_nanos())
}

pub(super) fn duration_from_nanos(nanos: i128) -> Result<TimeDelta, EvalError> {
    let seconds = i64::try_from(nanos.div_euclid(NANOS_PER_SECOND)).ok();
    let subsec = u32::try_from(nanos.rem_euclid(NANOS_PER_SECOND)).ok();
    seconds
        .zip(subsec)
        .and_then(|(seconds, subsec)| TimeDelta::new(seconds, subsec))
        .ok_or_else(|| EvalError::new("timedelta out of range"))
}

/// Nanoseconds from a float computation; `as` saturates, and the range check happens when the
/// result becomes a duration.
pub(super) fn float_nanos(nanos: f64) -> Result<i128, EvalError> {
    if nanos.is_finite() {
        Ok(nanos.round() as i128)
    } else {
        Err(EvalError::new("timedelta out of range"))
    }
}

/// A string for an error message, quoted and cut short so a huge value cannot bloat the message.
pub(super) fn excerpt(text: &str) -> String {
    const LIMIT: usize = 60;
    let mut chars = text.chars();
    let shown: String = chars.by_ref().take(LIMIT).collect();
    if chars.next().is_some() {
        format!("'{shown}…'")
    } else {
        format!("'{shown}'")
    }
}
