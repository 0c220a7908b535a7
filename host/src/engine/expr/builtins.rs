//! The whitelisted functions, on already evaluated arguments.

use std::cmp::Ordering;
use std::fmt::Write;

use chrono::format::{Parsed, StrftimeItems, parse};
use chrono::{NaiveDateTime, NaiveTime};

use super::EvalError;
use super::operators;
use super::parser::TimeUnit;
use super::value::{self, MAX_STRING_BYTES, Number, Value};

type Result<T> = std::result::Result<T, EvalError>;

/// `datetime.datetime.strptime`. Grebe binds datetime fields as typed values rather than the
/// strings loonflow spliced in, so a date or datetime passes through and the format is ignored.
pub(super) fn strptime(text: Value, format: Value) -> Result<Value> {
    let Value::Str(format) = format else {
        return Err(EvalError::new(format!(
            "strptime() format must be str, not '{}'",
            format.type_name()
        )));
    };
    match text {
        Value::DateTime(datetime) => Ok(Value::DateTime(datetime)),
        Value::Date(date) => Ok(Value::DateTime(date.and_time(NaiveTime::MIN))),
        Value::Str(text) => parse_datetime(&text, &format).map(Value::DateTime),
        other => Err(EvalError::new(format!(
            "strptime() argument 1 must be str, not '{}'",
            other.type_name()
        ))),
    }
}

fn parse_datetime(text: &str, python_format: &str) -> Result<NaiveDateTime> {
    let chrono_format = translate_format(python_format)?;
    let mismatch = |reason: chrono::format::ParseError| {
        EvalError::new(format!(
            "time data {} does not match format {}: {reason}",
            value::excerpt(text),
            value::excerpt(python_format)
        ))
    };
    let mut parsed = Parsed::new();
    parse(&mut parsed, text, StrftimeItems::new(&chrono_format)).map_err(mismatch)?;
    apply_python_defaults(&mut parsed).map_err(mismatch)?;
    let date = parsed.to_naive_date().map_err(mismatch)?;
    let time = parsed.to_naive_time().map_err(mismatch)?;
    Ok(date.and_time(time))
}

/// Rewrites a Python strptime format for chrono, accepting only the directives whose meaning is
/// the same in both. Python's `%f` reads 1–6 digits as a fraction while chrono's reads nanoseconds,
/// so `.%f` becomes chrono's `%.f`, which reads the dot and a fraction of any precision.
fn translate_format(python_format: &str) -> Result<String> {
    const SAME_IN_CHRONO: &str = "YmdHMSyjbBaApI%";
    let mut translated = String::with_capacity(python_format.len());
    let mut chars = python_format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            translated.push(c);
            continue;
        }
        match chars.next() {
            Some('f') if translated.ends_with('.') => {
                translated.pop();
                translated.push_str("%.f");
            }
            Some('f') => return Err(EvalError::new("strptime() supports '%f' only right after a '.'")),
            Some(directive) if SAME_IN_CHRONO.contains(directive) => {
                translated.push('%');
                translated.push(directive);
            }
            Some(directive) => {
                return Err(EvalError::new(format!(
                    "strptime() does not support the directive '%{directive}'"
                )));
            }
            None => return Err(EvalError::new("strptime() format ends with a lone '%'")),
        }
    }
    Ok(translated)
}

/// Python fills what the format leaves out with 1900-01-01 00:00:00 (and reads `%I` without `%p`
/// as AM); chrono would instead refuse to build a datetime.
fn apply_python_defaults(parsed: &mut Parsed) -> chrono::format::ParseResult<()> {
    if parsed.year().is_none() && parsed.year_mod_100().is_none() {
        parsed.set_year(1900)?;
    }
    if parsed.ordinal().is_none() {
        if parsed.month().is_none() {
            parsed.set_month(1)?;
        }
        if parsed.day().is_none() {
            parsed.set_day(1)?;
        }
    }
    if parsed.hour_mod_12().is_some() && parsed.hour_div_12().is_none() {
        parsed.set_ampm(false)?;
    }
    if parsed.hour_mod_12().is_none() {
        parsed.set_hour(0)?;
    }
    if parsed.minute().is_none() {
        parsed.set_minute(0)?;
    }
    Ok(())
}

/// `time.time()`: seconds since the Unix epoch, reading the evaluation time as UTC.
pub(super) fn timestamp(now: NaiveDateTime) -> Value {
    let utc = now.and_utc();
    Value::Float(utc.timestamp() as f64 + f64::from(utc.timestamp_subsec_nanos()) / 1e9)
}

/// `datetime.timedelta(...)`, summed exactly in nanoseconds unless an argument is a float.
pub(super) fn timedelta(parts: &[(TimeUnit, Value)]) -> Result<Value> {
    let mut total: i128 = 0;
    for (unit, amount) in parts {
        let unit_nanos: i128 = match unit {
            TimeUnit::Weeks => 604_800_000_000_000,
            TimeUnit::Days => 86_400_000_000_000,
            TimeUnit::Hours => 3_600_000_000_000,
            TimeUnit::Minutes => 60_000_000_000,
            TimeUnit::Seconds => 1_000_000_000,
        };
        let nanos = match amount.as_number() {
            Some(Number::Int(count)) => i128::from(count) * unit_nanos,
            Some(Number::Float(count)) => value::float_nanos(count * unit_nanos as f64)?,
            None => {
                return Err(EvalError::new(format!(
                    "timedelta argument '{}' must be a number, not '{}'",
                    unit.name(),
                    amount.type_name()
                )));
            }
        };
        total = total
            .checked_add(nanos)
            .ok_or_else(|| EvalError::new("timedelta out of range"))?;
    }
    value::duration_from_nanos(total).map(Value::Duration)
}

pub(super) fn len(value: &Value) -> Result<Value> {
    let length = match value {
        Value::Str(text) => text.chars().count(),
        Value::List(items) => items.len(),
        other => {
            return Err(EvalError::new(format!(
                "object of type '{}' has no len()",
                other.type_name()
            )));
        }
    };
    // A length comes from memory that exists, so it always fits.
    Ok(Value::Int(i64::try_from(length).unwrap_or(i64::MAX)))
}

pub(super) fn to_int(value: &Value) -> Result<Value> {
    match value {
        Value::Str(text) => text.trim().parse().map(Value::Int).map_err(|_| {
            EvalError::new(format!(
                "invalid literal for int() with base 10: {}",
                value::excerpt(text)
            ))
        }),
        other => match other.as_number() {
            Some(Number::Int(number)) => Ok(Value::Int(number)),
            Some(Number::Float(number)) => float_to_int(number),
            None => Err(EvalError::new(format!(
                "int() argument must be a string or a number, not '{}'",
                other.type_name()
            ))),
        },
    }
}

/// Truncates toward zero like Python's `int()`, which fails only where an i64 cannot hold it.
fn float_to_int(number: f64) -> Result<Value> {
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    let whole = number.trunc();
    if (-TWO_POW_63..TWO_POW_63).contains(&whole) {
        Ok(Value::Int(whole as i64))
    } else {
        Err(EvalError::new(format!(
            "cannot convert float {} to integer",
            Value::Float(number)
        )))
    }
}

pub(super) fn to_float(value: &Value) -> Result<Value> {
    match value {
        Value::Str(text) => text
            .trim()
            .parse()
            .map(Value::Float)
            .map_err(|_| EvalError::new(format!("could not convert string to float: {}", value::excerpt(text)))),
        other => other
            .as_number()
            .map(|number| Value::Float(number.to_f64()))
            .ok_or_else(|| {
                EvalError::new(format!(
                    "float() argument must be a string or a number, not '{}'",
                    other.type_name()
                ))
            }),
    }
}

/// `str()`, written through a bounded buffer so a large list cannot build an oversized string.
pub(super) fn to_str(value: &Value) -> Result<Value> {
    struct Bounded(String);
    impl Write for Bounded {
        fn write_str(&mut self, text: &str) -> std::fmt::Result {
            if self.0.len().saturating_add(text.len()) > MAX_STRING_BYTES {
                return Err(std::fmt::Error);
            }
            self.0.push_str(text);
            Ok(())
        }
    }
    let mut buffer = Bounded(String::new());
    match write!(buffer, "{value}") {
        Ok(()) => Ok(Value::Str(buffer.0)),
        Err(_) => Err(value::string_too_long()),
    }
}

pub(super) fn abs(value: &Value) -> Result<Value> {
    match value {
        Value::Duration(duration) => Ok(Value::Duration(duration.abs())),
        other => match other.as_number() {
            Some(Number::Int(number)) => number
                .checked_abs()
                .map(Value::Int)
                .ok_or_else(|| EvalError::new("integer overflow in abs()")),
            Some(Number::Float(number)) => Ok(Value::Float(number.abs())),
            None => Err(EvalError::new(format!(
                "bad operand type for abs(): '{}'",
                other.type_name()
            ))),
        },
    }
}

/// `min`/`max`: over the arguments, or over the elements of a single list argument. Like Python,
/// the first of several equal extremes wins.
pub(super) fn extreme(arguments: Vec<Value>, wanted: Ordering, name: &str) -> Result<Value> {
    let symbol = if wanted == Ordering::Less { "<" } else { ">" };
    let candidates = match <[Value; 1]>::try_from(arguments) {
        Ok([Value::List(items)]) => items,
        Ok([other]) => {
            return Err(EvalError::new(format!(
                "'{}' object is not iterable",
                other.type_name()
            )));
        }
        Err(arguments) => arguments,
    };
    let mut candidates = candidates.into_iter();
    let mut best = candidates
        .next()
        .ok_or_else(|| EvalError::new(format!("{name}() arg is an empty sequence")))?;
    for candidate in candidates {
        if operators::order(&candidate, &best, symbol)? == Some(wanted) {
            best = candidate;
        }
    }
    Ok(best)
}
