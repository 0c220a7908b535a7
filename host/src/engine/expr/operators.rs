//! Python's arithmetic, comparison and membership rules over [`Value`]s, extended to dates,
//! datetimes and durations the way Python's `datetime` module behaves.

use std::cmp::Ordering;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use super::EvalError;
use super::value::{self, Number, Value};

type Result<T> = std::result::Result<T, EvalError>;

fn unsupported(symbol: &str, left: &Value, right: &Value) -> EvalError {
    EvalError::new(format!(
        "unsupported operand types for {symbol}: '{}' and '{}'",
        left.type_name(),
        right.type_name()
    ))
}

fn overflow(symbol: &str) -> EvalError {
    EvalError::new(format!("integer overflow in '{symbol}'"))
}

fn division_by_zero() -> EvalError {
    EvalError::new("division by zero")
}

fn out_of_range(kind: &str) -> EvalError {
    EvalError::new(format!("{kind} out of range"))
}

/// Integers stay integers (with overflow checked); any float operand makes the result a float.
fn numeric(
    left: &Value,
    right: &Value,
    symbol: &str,
    on_ints: fn(i64, i64) -> Option<i64>,
    on_floats: fn(f64, f64) -> f64,
) -> Result<Value> {
    match (left.as_number(), right.as_number()) {
        (Some(Number::Int(a)), Some(Number::Int(b))) => on_ints(a, b).map(Value::Int).ok_or_else(|| overflow(symbol)),
        (Some(a), Some(b)) => Ok(Value::Float(on_floats(a.to_f64(), b.to_f64()))),
        _ => Err(unsupported(symbol, left, right)),
    }
}

/// Both operands as numbers, failing on a zero divisor before any division happens.
fn division_operands(left: &Value, right: &Value, symbol: &str) -> Result<(Number, Number)> {
    match (left.as_number(), right.as_number()) {
        (Some(_), Some(divisor)) if divisor.to_f64() == 0.0 => Err(division_by_zero()),
        (Some(dividend), Some(divisor)) => Ok((dividend, divisor)),
        _ => Err(unsupported(symbol, left, right)),
    }
}

pub(super) fn add(left: Value, right: Value) -> Result<Value> {
    match (left, right) {
        (Value::Str(mut text), Value::Str(tail)) => {
            value::ensure_string_fits(text.len().saturating_add(tail.len()))?;
            text.push_str(&tail);
            Ok(Value::Str(text))
        }
        (Value::DateTime(at), Value::Duration(by)) | (Value::Duration(by), Value::DateTime(at)) => {
            shift_datetime(at, by)
        }
        (Value::Date(day), Value::Duration(by)) | (Value::Duration(by), Value::Date(day)) => shift_date(day, by, false),
        (Value::Duration(a), Value::Duration(b)) => a
            .checked_add(&b)
            .map(Value::Duration)
            .ok_or_else(|| out_of_range("timedelta")),
        (left, right) => numeric(&left, &right, "+", i64::checked_add, |a, b| a + b),
    }
}

pub(super) fn subtract(left: Value, right: Value) -> Result<Value> {
    match (&left, &right) {
        // Dates span ±262,000 years, far inside a duration's range, so these cannot overflow.
        (Value::DateTime(a), Value::DateTime(b)) => Ok(Value::Duration(a.signed_duration_since(*b))),
        (Value::Date(a), Value::Date(b)) => Ok(Value::Duration(a.signed_duration_since(*b))),
        (Value::DateTime(at), Value::Duration(by)) => shift_datetime(*at, negated(*by)?),
        (Value::Date(day), Value::Duration(by)) => shift_date(*day, *by, true),
        (Value::Duration(a), Value::Duration(b)) => a
            .checked_sub(b)
            .map(Value::Duration)
            .ok_or_else(|| out_of_range("timedelta")),
        _ => numeric(&left, &right, "-", i64::checked_sub, |a, b| a - b),
    }
}

pub(super) fn multiply(left: Value, right: Value) -> Result<Value> {
    match (&left, &right) {
        (Value::Str(text), other) | (other, Value::Str(text)) => match other.as_number() {
            Some(Number::Int(count)) => repeat(text, count),
            _ => Err(unsupported("*", &left, &right)),
        },
        (Value::Duration(duration), other) | (other, Value::Duration(duration)) => match other.as_number() {
            Some(factor) => scale_duration(*duration, factor),
            None => Err(unsupported("*", &left, &right)),
        },
        _ => numeric(&left, &right, "*", i64::checked_mul, |a, b| a * b),
    }
}

/// True division: the result is a float even for two integers, as in Python 3.
pub(super) fn divide(left: Value, right: Value) -> Result<Value> {
    match (&left, &right) {
        (Value::Duration(a), Value::Duration(b)) => {
            if b.is_zero() {
                return Err(division_by_zero());
            }
            Ok(Value::Float(
                value::total_nanos(*a) as f64 / value::total_nanos(*b) as f64,
            ))
        }
        (Value::Duration(duration), divisor) => match divisor.as_number() {
            Some(divisor) if divisor.to_f64() == 0.0 => Err(division_by_zero()),
            Some(divisor) => scale_duration(*duration, Number::Float(1.0 / divisor.to_f64())),
            None => Err(unsupported("/", &left, &right)),
        },
        _ => {
            let (a, b) = division_operands(&left, &right, "/")?;
            Ok(Value::Float(a.to_f64() / b.to_f64()))
        }
    }
}

pub(super) fn floor_divide(left: Value, right: Value) -> Result<Value> {
    match division_operands(&left, &right, "//")? {
        (Number::Int(a), Number::Int(b)) => floor_div(a, b).map(Value::Int).ok_or_else(|| overflow("//")),
        (a, b) => Ok(Value::Float((a.to_f64() / b.to_f64()).floor())),
    }
}

/// Rounds toward negative infinity, where Rust's `/` truncates toward zero.
fn floor_div(a: i64, b: i64) -> Option<i64> {
    let quotient = a.checked_div(b)?;
    let remainder = a.checked_rem(b)?;
    Some(if remainder != 0 && (remainder < 0) != (b < 0) {
        quotient - 1
    } else {
        quotient
    })
}

/// Python's modulo takes the sign of the divisor, where Rust's `%` takes the dividend's.
pub(super) fn modulo(left: Value, right: Value) -> Result<Value> {
    if let Value::Str(_) = left {
        return Err(EvalError::new("string formatting with '%' is not supported"));
    }
    match division_operands(&left, &right, "%")? {
        (Number::Int(a), Number::Int(b)) => {
            // Only i64::MIN % -1 overflows, and its remainder is 0.
            let remainder = a.checked_rem(b).unwrap_or(0);
            let adjusted = if remainder != 0 && (remainder < 0) != (b < 0) {
                remainder + b
            } else {
                remainder
            };
            Ok(Value::Int(adjusted))
        }
        (a, b) => {
            let (a, b) = (a.to_f64(), b.to_f64());
            let remainder = a % b;
            let adjusted = if remainder != 0.0 && (remainder < 0.0) != (b < 0.0) {
                remainder + b
            } else {
                remainder
            };
            Ok(Value::Float(adjusted))
        }
    }
}

pub(super) fn negate(value: Value) -> Result<Value> {
    if let Value::Duration(duration) = value {
        return negated(duration).map(Value::Duration);
    }
    match value.as_number() {
        Some(Number::Int(number)) => number.checked_neg().map(Value::Int).ok_or_else(|| overflow("-")),
        Some(Number::Float(number)) => Ok(Value::Float(-number)),
        None => Err(EvalError::new(format!(
            "bad operand type for unary -: '{}'",
            value.type_name()
        ))),
    }
}

pub(super) fn positive(value: Value) -> Result<Value> {
    match value {
        Value::Bool(flag) => Ok(Value::Int(i64::from(flag))),
        Value::Int(_) | Value::Float(_) | Value::Duration(_) => Ok(value),
        other => Err(EvalError::new(format!(
            "bad operand type for unary +: '{}'",
            other.type_name()
        ))),
    }
}

fn repeat(text: &str, count: i64) -> Result<Value> {
    // A negative count gives an empty string, as in Python.
    let times = usize::try_from(count).unwrap_or(0);
    if text.is_empty() || times == 0 {
        return Ok(Value::Str(String::new()));
    }
    value::ensure_string_fits(text.len().saturating_mul(times))?;
    Ok(Value::Str(text.repeat(times)))
}

fn scale_duration(duration: TimeDelta, factor: Number) -> Result<Value> {
    let nanos = value::total_nanos(duration);
    let scaled = match factor {
        Number::Int(factor) => nanos
            .checked_mul(i128::from(factor))
            .ok_or_else(|| out_of_range("timedelta"))?,
        Number::Float(factor) => value::float_nanos(nanos as f64 * factor)?,
    };
    value::duration_from_nanos(scaled).map(Value::Duration)
}

fn negated(duration: TimeDelta) -> Result<TimeDelta> {
    TimeDelta::zero()
        .checked_sub(&duration)
        .ok_or_else(|| out_of_range("timedelta"))
}

fn shift_datetime(at: NaiveDateTime, by: TimeDelta) -> Result<Value> {
    at.checked_add_signed(by)
        .map(Value::DateTime)
        .ok_or_else(|| out_of_range("datetime"))
}

/// Python moves a date by the duration's `days` attribute alone: whole days rounded down, even
/// when subtracting, so `date - timedelta(hours=1)` is the same date.
fn shift_date(day: NaiveDate, by: TimeDelta, subtract: bool) -> Result<Value> {
    const NANOS_PER_DAY: i128 = 86_400_000_000_000;
    let days = i64::try_from(value::total_nanos(by).div_euclid(NANOS_PER_DAY)).ok();
    days.and_then(|days| TimeDelta::try_days(if subtract { -days } else { days }))
        .and_then(|whole_days| day.checked_add_signed(whole_days))
        .map(Value::Date)
        .ok_or_else(|| out_of_range("date"))
}

/// Python's `==`: values of unrelated types are simply unequal.
pub(super) fn equals(left: &Value, right: &Value) -> Result<bool> {
    if let Some(ordering) = order_moments(left, right)? {
        return Ok(ordering == Ordering::Equal);
    }
    Ok(match (left, right) {
        (Value::Null, Value::Null) => true,
        (Value::Str(a), Value::Str(b)) => a == b,
        (Value::Duration(a), Value::Duration(b)) => a == b,
        (Value::List(a), Value::List(b)) => {
            if a.len() != b.len() {
                return Ok(false);
            }
            for (x, y) in a.iter().zip(b) {
                if !equals(x, y)? {
                    return Ok(false);
                }
            }
            true
        }
        _ => match (left.as_number(), right.as_number()) {
            (Some(a), Some(b)) => compare_numbers(a, b) == Some(Ordering::Equal),
            _ => false,
        },
    })
}

/// Python 3's ordering for `symbol`: `Ok(None)` when the values are unordered (NaN), an error
/// between types that have no order.
pub(super) fn order(left: &Value, right: &Value, symbol: &str) -> Result<Option<Ordering>> {
    if let Some(ordering) = order_moments(left, right)? {
        return Ok(Some(ordering));
    }
    match (left, right) {
        (Value::Str(a), Value::Str(b)) => Ok(Some(a.cmp(b))),
        (Value::Duration(a), Value::Duration(b)) => Ok(Some(a.cmp(b))),
        (Value::List(a), Value::List(b)) => {
            for (x, y) in a.iter().zip(b) {
                if !equals(x, y)? {
                    return order(x, y, symbol);
                }
            }
            Ok(Some(a.len().cmp(&b.len())))
        }
        _ => match (left.as_number(), right.as_number()) {
            (Some(a), Some(b)) => Ok(compare_numbers(a, b)),
            _ => Err(EvalError::new(format!(
                "'{symbol}' not supported between instances of '{}' and '{}'",
                left.type_name(),
                right.type_name()
            ))),
        },
    }
}

/// Python's `in`: substring for strings, membership by `==` for lists.
pub(super) fn contains(container: &Value, item: &Value) -> Result<bool> {
    match (container, item) {
        (Value::Str(text), Value::Str(needle)) => Ok(text.contains(needle.as_str())),
        (Value::Str(_), other) => Err(EvalError::new(format!(
            "'in <string>' requires string as left operand, not {}",
            other.type_name()
        ))),
        (Value::List(items), _) => {
            for candidate in items {
                if equals(item, candidate)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        (other, _) => Err(EvalError::new(format!(
            "argument of type '{}' is not iterable",
            other.type_name()
        ))),
    }
}

fn compare_numbers(a: Number, b: Number) -> Option<Ordering> {
    match (a, b) {
        (Number::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
        (Number::Float(a), Number::Float(b)) => a.partial_cmp(&b),
        (Number::Int(a), Number::Float(b)) => compare_int_float(a, b),
        (Number::Float(a), Number::Int(b)) => compare_int_float(b, a).map(Ordering::reverse),
    }
}

/// Exact, as in Python; converting the integer to a float would round above 2^53.
fn compare_int_float(int: i64, float: f64) -> Option<Ordering> {
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    if float.is_nan() {
        return None;
    }
    if float >= TWO_POW_63 {
        return Some(Ordering::Less);
    }
    if float < -TWO_POW_63 {
        return Some(Ordering::Greater);
    }
    let whole = float.trunc();
    // `whole` is an integer within i64's range here, so the cast is exact.
    match int.cmp(&(whole as i64)) {
        Ordering::Equal => 0.0_f64.partial_cmp(&(float - whole)),
        unequal => Some(unequal),
    }
}

#[derive(Clone, Copy)]
enum Moment {
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Moment {
    fn of(value: &Value) -> Option<Moment> {
        match value {
            Value::Date(date) => Some(Moment::Date(*date)),
            Value::DateTime(datetime) => Some(Moment::DateTime(*datetime)),
            _ => None,
        }
    }

    fn at_midnight(self) -> NaiveDateTime {
        match self {
            Moment::Date(date) => date.and_time(NaiveTime::MIN),
            Moment::DateTime(datetime) => datetime,
        }
    }
}

/// Orders a date or datetime against another or against a string in ISO form, which is how
/// loonflow conditions compare date fields (`{start} > '2024-01-01'`). A date meets a datetime
/// at its midnight. `Ok(None)` when neither side is a date or datetime.
fn order_moments(left: &Value, right: &Value) -> Result<Option<Ordering>> {
    let (a, b) = match (Moment::of(left), Moment::of(right)) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => match right {
            Value::Str(text) => (a, parse_moment(text)?),
            _ => return Ok(None),
        },
        (None, Some(b)) => match left {
            Value::Str(text) => (parse_moment(text)?, b),
            _ => return Ok(None),
        },
        (None, None) => return Ok(None),
    };
    Ok(Some(match (a, b) {
        (Moment::Date(a), Moment::Date(b)) => a.cmp(&b),
        (a, b) => a.at_midnight().cmp(&b.at_midnight()),
    }))
}

fn parse_moment(text: &str) -> Result<Moment> {
    const DATETIME_FORMATS: [&str; 4] = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ];
    let trimmed = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        return Ok(Moment::Date(date));
    }
    DATETIME_FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(trimmed, format).ok())
        .map(Moment::DateTime)
        .ok_or_else(|| {
            EvalError::new(format!(
                "cannot compare a date with {}: expected a string like '2024-01-31' or '2024-01-31 09:30:00'",
                value::excerpt(text)
            ))
        })
}
