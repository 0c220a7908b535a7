use std::cell::Cell;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use super::eval::STRING_BUDGET;
use super::lexer::MAX_SOURCE_CHARS;
use super::parser::{MAX_DEPTH, MAX_ELEMENTS};
use super::value::MAX_STRING_BYTES;
use super::{Expression, Value};

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn datetime(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> NaiveDateTime {
    date(year, month, day).and_hms_opt(hour, minute, second).unwrap()
}

fn now() -> NaiveDateTime {
    datetime(2024, 6, 15, 12, 0, 0)
}

fn str(text: &str) -> Value {
    Value::Str(text.to_owned())
}

fn fields(key: &str) -> Option<Value> {
    Some(match key {
        "leave_days" => Value::Int(5),
        "amount" => Value::Float(950.0),
        "type" => str("vip"),
        "urgent" => Value::Bool(false),
        "approvers" => Value::List(vec![str("admin"), str("bob")]),
        "city" => str("bj"),
        "d" => Value::Date(date(2024, 3, 1)),
        "start" => Value::DateTime(datetime(2024, 6, 1, 9, 0, 0)),
        "end" => Value::DateTime(datetime(2024, 6, 5, 10, 0, 0)),
        "start_text" => str("2024-06-01 09:00:00"),
        "span" => Value::Duration(TimeDelta::days(3)),
        "nothing" => Value::Null,
        "zero" => Value::Int(0),
        "empty" => str(""),
        "big" => Value::Int(i64::MAX),
        "state.state_name" => str("审批中"),
        _ => return None,
    })
}

enum Expect {
    Holds(bool),
    Is(Value),
    EvalFails(&'static str),
    ParseFails(usize, &'static str),
}

use Expect::{EvalFails, Holds, Is, ParseFails};

fn cases() -> Vec<(&'static str, Expect)> {
    vec![
        // Arithmetic and precedence.
        ("2 + 3 * 4 == 14", Holds(true)),
        ("(2 + 3) * 4", Is(Value::Int(20))),
        ("2 + 3 * 4 - 6 / 2", Is(Value::Float(11.0))),
        ("10 - 2 - 3", Is(Value::Int(5))),
        ("2 * 3 % 4", Is(Value::Int(2))),
        ("-2 * 3", Is(Value::Int(-6))),
        ("- -2", Is(Value::Int(2))),
        ("+{leave_days}", Is(Value::Int(5))),
        ("-{span}", Is(Value::Duration(TimeDelta::days(-3)))),
        ("1 / 2", Is(Value::Float(0.5))),
        ("4 / 2", Is(Value::Float(2.0))),
        ("7 // 2", Is(Value::Int(3))),
        ("-7 // 2", Is(Value::Int(-4))),
        ("-7 % 3", Is(Value::Int(2))),
        ("7 % -3", Is(Value::Int(-2))),
        ("7.5 // 2", Is(Value::Float(3.0))),
        ("-7.5 % 2", Is(Value::Float(0.5))),
        ("1 + 2.5", Is(Value::Float(3.5))),
        ("True + 1", Is(Value::Int(2))),
        ("1e3 + .5 + 1.", Is(Value::Float(1001.5))),
        ("{amount} * 1.1 >= 1000", Holds(true)),
        ("2 ** 3", ParseFails(2, "the power operator '**' is not supported")),
        ("1 / 0", EvalFails("division by zero")),
        ("1 % 0", EvalFails("division by zero")),
        ("1 // 0.0", EvalFails("division by zero")),
        ("{big} + 1", EvalFails("integer overflow in '+'")),
        ("-{big} - 2", EvalFails("integer overflow in '-'")),
        ("{big} * 2", EvalFails("integer overflow in '*'")),
        ("abs(-{big} - 1)", EvalFails("integer overflow in abs()")),
        (
            "9223372036854775808",
            ParseFails(0, "integer 9223372036854775808 is too large"),
        ),
        // Comparisons.
        ("1 < 2 < 3", Holds(true)),
        ("1 < 3 < 2", Holds(false)),
        ("3 > 2 == 2", Holds(true)),
        ("1 < {leave_days} <= 5", Holds(true)),
        ("1 > 2 < {missing}", Holds(false)),
        ("1 == 1.0", Holds(true)),
        ("1 != 1.0", Holds(false)),
        ("'1' == 1", Holds(false)),
        ("0.1 + 0.2 == 0.3", Holds(false)),
        ("9007199254740993 > 9007199254740992.0", Holds(true)),
        (
            "'a' < 1",
            EvalFails("'<' not supported between instances of 'str' and 'int'"),
        ),
        // None.
        ("None == None", Holds(true)),
        ("{nothing} == null", Holds(true)),
        ("None == 0", Holds(false)),
        ("{nothing} != 'x'", Holds(true)),
        (
            "None < 1",
            EvalFails("'<' not supported between instances of 'NoneType' and 'int'"),
        ),
        (
            "{nothing} + 1",
            EvalFails("unsupported operand types for +: 'NoneType' and 'int'"),
        ),
        // Logic and short-circuit.
        ("False and {missing}", Is(Value::Bool(false))),
        ("True or {missing}", Is(Value::Bool(true))),
        ("{missing} or True", EvalFails("unknown field missing")),
        ("{zero} or 'default'", Is(str("default"))),
        ("{leave_days} and 'yes'", Is(str("yes"))),
        ("{empty} and {missing}", Is(str(""))),
        ("not {urgent}", Holds(true)),
        ("not 1 == 2", Holds(true)),
        ("not not {leave_days}", Is(Value::Bool(true))),
        ("{type} == 'vip' or not {urgent}", Holds(true)),
        ("1 < 2 and 2 < 1 or 3 > 2", Holds(true)),
        ("false or {nothing}", Is(Value::Null)),
        // Strings.
        ("'ab' + \"cd\" == 'abcd'", Holds(true)),
        ("'''it's''' + \"\"\" \"q\" \"\"\"", Is(str("it's \"q\" "))),
        (r#"'a\'b\\c\n\t\"'"#, Is(str("a'b\\c\n\t\""))),
        (r"'\d'", Is(str("\\d"))),
        ("'''two\nlines'''", Is(str("two\nlines"))),
        ("'ab' * 3", Is(str("ababab"))),
        ("2 * 'ab'", Is(str("abab"))),
        ("'ab' * -1", Is(str(""))),
        ("'ad' in 'admin'", Holds(true)),
        ("'x' not in 'admin'", Holds(true)),
        ("'abc' < 'abd'", Holds(true)),
        ("{state.state_name} == '审批中'", Holds(true)),
        ("len({state.state_name})", Is(Value::Int(3))),
        (
            "'a' * 1048577",
            EvalFails("string result would be longer than 1048576 bytes"),
        ),
        (
            "'x' * 1048576 + 'y'",
            EvalFails("string result would be longer than 1048576 bytes"),
        ),
        ("'a' + 1", EvalFails("unsupported operand types for +: 'str' and 'int'")),
        (
            "'ab' * 1.5",
            EvalFails("unsupported operand types for *: 'str' and 'float'"),
        ),
        ("'%s' % 1", EvalFails("string formatting with '%' is not supported")),
        (
            "1 in 'abc'",
            EvalFails("'in <string>' requires string as left operand, not int"),
        ),
        // Lists and tuples.
        ("'admin' in {approvers}", Holds(true)),
        ("'eve' not in {approvers}", Holds(true)),
        ("{city} in ['bj', 'sh']", Holds(true)),
        ("{city} in ('sh', 'gz')", Holds(false)),
        ("{city} in ('bj',)", Holds(true)),
        ("None in [1, None]", Holds(true)),
        ("[1, 2] == [1, 2.0]", Holds(true)),
        ("[1, 2] < [1, 3]", Holds(true)),
        ("[1, 2,]", Is(Value::List(vec![Value::Int(1), Value::Int(2)]))),
        ("()", Is(Value::List(Vec::new()))),
        ("[]", Holds(false)),
        ("len({approvers})", Is(Value::Int(2))),
        ("1 in 5", EvalFails("argument of type 'int' is not iterable")),
        // Functions.
        ("int('42') + int(3.9) + int(-3.9)", Is(Value::Int(42))),
        ("int(' 7 ') + int(True)", Is(Value::Int(8))),
        ("int('4.2')", EvalFails("invalid literal for int() with base 10: '4.2'")),
        ("float('2.5') * 2", Is(Value::Float(5.0))),
        (
            "float([])",
            EvalFails("float() argument must be a string or a number, not 'list'"),
        ),
        (
            "str(1.0) + str(1e16) + str(None) + str(True)",
            Is(str("1.01e+16NoneTrue")),
        ),
        ("str([1, 'a', None])", Is(str("[1, 'a', None]"))),
        (
            "str({span}) + ' / ' + str(datetime.timedelta(hours=-1))",
            Is(str("3 days, 0:00:00 / -1 day, 23:00:00")),
        ),
        ("str({start})", Is(str("2024-06-01 09:00:00"))),
        ("abs(-3) + abs(-2.5)", Is(Value::Float(5.5))),
        ("min(3, 1, 2)", Is(Value::Int(1))),
        ("max([1, 5, 3])", Is(Value::Int(5))),
        ("min([])", EvalFails("min() arg is an empty sequence")),
        (
            "max(1, 'a')",
            EvalFails("'>' not supported between instances of 'str' and 'int'"),
        ),
        ("len(1)", EvalFails("object of type 'int' has no len()")),
        ("time.time()", Is(Value::Float(1_718_452_800.0))),
        // Dates, datetimes and durations.
        ("{d} > '2024-01-01'", Holds(true)),
        ("{d} == '2024-03-01'", Holds(true)),
        ("{d} < '2024-03-01 00:00:01'", Holds(true)),
        ("{start} >= '2024-06-01T09:00'", Holds(true)),
        ("{d} > 'soon'", EvalFails("cannot compare a date with 'soon'")),
        ("{start} > {d}", Holds(true)),
        ("{end} - {start} > datetime.timedelta(days=3)", Holds(true)),
        ("{end} - {start} > datetime.timedelta(days=4, hours=2)", Holds(false)),
        ("{end} - {start} == datetime.timedelta(days=4, hours=1)", Holds(true)),
        (
            "({end} - {start}) / datetime.timedelta(hours=1)",
            Is(Value::Float(97.0)),
        ),
        ("datetime.date.today() - {d}", Is(Value::Duration(TimeDelta::days(106)))),
        ("{d} + datetime.timedelta(hours=36)", Is(Value::Date(date(2024, 3, 2)))),
        ("{d} - datetime.timedelta(hours=1)", Is(Value::Date(date(2024, 3, 1)))),
        ("{d} + datetime.timedelta(hours=-1)", Is(Value::Date(date(2024, 2, 29)))),
        (
            "{start} + datetime.timedelta(weeks=1, minutes=30)",
            Is(Value::DateTime(datetime(2024, 6, 8, 9, 30, 0))),
        ),
        (
            "datetime.timedelta(days=1.5) == datetime.timedelta(hours=36)",
            Holds(true),
        ),
        ("{span} * 2 == datetime.timedelta(days=6)", Holds(true)),
        ("0.5 * {span} == datetime.timedelta(hours=36)", Holds(true)),
        ("not datetime.timedelta()", Holds(true)),
        (
            "{start} < 5",
            EvalFails("'<' not supported between instances of 'datetime' and 'int'"),
        ),
        ("{start} == 5", Holds(false)),
        (
            "{start} + {start}",
            EvalFails("unsupported operand types for +: 'datetime' and 'datetime'"),
        ),
        (
            "datetime.timedelta(days='x')",
            EvalFails("timedelta argument 'days' must be a number, not 'str'"),
        ),
        (
            "datetime.datetime.strptime({start_text}, '%Y-%m-%d %H:%M:%S') == {start}",
            Holds(true),
        ),
        (
            "datetime.datetime.strptime({start}, '%Y-%m-%d %H:%M:%S') > datetime.datetime.now()",
            Holds(false),
        ),
        (
            "datetime.datetime.strptime({d}, '%Y-%m-%d')",
            Is(Value::DateTime(datetime(2024, 3, 1, 0, 0, 0))),
        ),
        (
            "datetime.datetime.strptime('2024-06-15', '%Y-%m-%d')",
            Is(Value::DateTime(datetime(2024, 6, 15, 0, 0, 0))),
        ),
        (
            "datetime.datetime.strptime('10:30', '%H:%M')",
            Is(Value::DateTime(datetime(1900, 1, 1, 10, 30, 0))),
        ),
        (
            "datetime.datetime.strptime('15/Jun/24 9:30 PM', '%d/%b/%y %I:%M %p')",
            Is(Value::DateTime(datetime(2024, 6, 15, 21, 30, 0))),
        ),
        (
            "datetime.datetime.strptime('2024 166', '%Y %j')",
            Is(Value::DateTime(datetime(2024, 6, 14, 0, 0, 0))),
        ),
        (
            "datetime.datetime.strptime('2024-06-15 10:00:00.5', '%Y-%m-%d %H:%M:%S.%f')",
            Is(Value::DateTime(
                datetime(2024, 6, 15, 10, 0, 0) + TimeDelta::milliseconds(500),
            )),
        ),
        (
            "datetime.datetime.strptime('2024-06-15', '%Y/%m/%d')",
            EvalFails("time data '2024-06-15' does not match format '%Y/%m/%d'"),
        ),
        (
            "datetime.datetime.strptime('x', '%z')",
            EvalFails("strptime() does not support the directive '%z'"),
        ),
        (
            "datetime.datetime.strptime(1, '%Y')",
            EvalFails("strptime() argument 1 must be str, not 'int'"),
        ),
        ("datetime.datetime.now()", Is(Value::DateTime(now()))),
        ("datetime.date.today()", Is(Value::Date(date(2024, 6, 15)))),
        ("datetime.date.today() == datetime.datetime.now()", Holds(false)),
        // Fields.
        ("{missing} > 1", EvalFails("unknown field missing")),
        // Malformed input.
        ("(1 + 2", ParseFails(6, "expected ')' but found end of expression")),
        (
            "1 + 2)",
            ParseFails(5, "expected an operator or end of expression but found ')'"),
        ),
        ("1 +", ParseFails(3, "expected an operand but found end of expression")),
        (
            "{a} and",
            ParseFails(7, "expected an operand but found end of expression"),
        ),
        ("{a} and or {b}", ParseFails(8, "expected an operand but found 'or'")),
        ("1 < > 2", ParseFails(4, "expected an operand but found '>'")),
        ("foo", ParseFails(0, "unknown name 'foo'")),
        ("1 + foo(2)", ParseFails(4, "unknown function 'foo'")),
        ("__import__('os')", ParseFails(0, "unknown function '__import__'")),
        ("os.system('ls')", ParseFails(0, "unknown function 'os.system'")),
        (
            "{a}.__class__",
            ParseFails(3, "attribute access '.__class__' is not allowed"),
        ),
        (
            "'abc'.upper()",
            ParseFails(5, "attribute access '.upper' is not allowed"),
        ),
        ("{a}[0]", ParseFails(3, "indexing with '[...]' is not supported")),
        ("{a}(1)", ParseFails(3, "only the whitelisted functions can be called")),
        ("'abc", ParseFails(0, "unterminated string")),
        ("{a}=='x", ParseFails(5, "unterminated string")),
        ("'''abc''", ParseFails(0, "unterminated string")),
        ("'a\nb'", ParseFails(0, "unterminated string")),
        ("", ParseFails(0, "empty expression")),
        ("   ", ParseFails(0, "empty expression")),
        ("{}", ParseFails(0, "empty placeholder '{}'")),
        ("{a b}", ParseFails(2, "invalid character ' ' in placeholder")),
        ("{a", ParseFails(0, "unterminated placeholder")),
        ("{a} = 1", ParseFails(4, "'=' is not a comparison; use '=='")),
        ("! {a}", ParseFails(0, "unexpected character '!'; use 'not' to negate")),
        ("{a} && {b}", ParseFails(4, "unexpected character '&'; use 'and'")),
        (
            "1 2",
            ParseFails(2, "expected an operator or end of expression but found number 2"),
        ),
        (
            "{a} if {b} else {c}",
            ParseFails(4, "expected an operator or end of expression but found 'if'"),
        ),
        ("'中文' + x", ParseFails(7, "unknown name 'x'")),
        ("'中文' + 中", ParseFails(7, "unexpected character '中'")),
        ("1abc", ParseFails(0, "invalid number '1abc'")),
        (
            "[1, 2",
            ParseFails(5, "expected ',' or ']' but found end of expression"),
        ),
        (
            "datetime.datetime.now",
            ParseFails(0, "'datetime.datetime.now' is a function and must be called"),
        ),
        (
            "datetime.datetime.now(1)",
            ParseFails(0, "datetime.datetime.now() takes no arguments but 1 were given"),
        ),
        (
            "len(1, 2)",
            ParseFails(0, "len() takes exactly 1 argument but 2 were given"),
        ),
        (
            "max()",
            ParseFails(0, "max() takes at least 1 argument but 0 were given"),
        ),
        ("int(x=1)", ParseFails(4, "unexpected keyword argument 'x'")),
        (
            "datetime.timedelta(3)",
            ParseFails(19, "datetime.timedelta takes keyword arguments only"),
        ),
        (
            "datetime.timedelta(days=1, days=2)",
            ParseFails(27, "keyword argument 'days' repeated"),
        ),
        (
            "datetime.timedelta(months=1)",
            ParseFails(19, "unknown keyword argument 'months'"),
        ),
        ("datetime.now()", ParseFails(0, "unknown function 'datetime.now'")),
        // Loonflow's manual example.
        ("{leave_days} > 3 and {leave_days} <= 10", Holds(true)),
    ]
}

#[test]
fn table_of_expressions() {
    let cases = cases();
    let mut failures = Vec::new();
    for (source, expected) in &cases {
        let parsed = Expression::parse(source);
        let problem = match (expected, parsed) {
            (ParseFails(position, message), Err(error)) => {
                (error.position != *position || !error.message.contains(message)).then(|| format!("got {error}"))
            }
            (ParseFails(..), Ok(_)) => Some("parsed, but should not".to_owned()),
            (_, Err(error)) => Some(format!("did not parse: {error}")),
            (Holds(wanted), Ok(expression)) => match expression.holds(&fields, now()) {
                Ok(held) => (held != *wanted).then(|| format!("held {held}")),
                Err(error) => Some(format!("failed: {error}")),
            },
            (Is(wanted), Ok(expression)) => match expression.evaluate(&fields, now()) {
                Ok(value) => (value != *wanted).then(|| format!("gave {value:?}")),
                Err(error) => Some(format!("failed: {error}")),
            },
            (EvalFails(message), Ok(expression)) => match expression.evaluate(&fields, now()) {
                Ok(value) => Some(format!("gave {value:?}")),
                Err(error) => (!error.message.contains(message)).then(|| format!("failed with: {error}")),
            },
        };
        if let Some(problem) = problem {
            failures.push(format!("{source:?}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn loonflow_manual_example() {
    let expression = Expression::parse("{leave_days} > 3 and {leave_days} <= 10").unwrap();
    for (days, expected) in [
        (Value::Int(5), true),
        (Value::Int(3), false),
        (Value::Float(10.5), false),
    ] {
        let lookup = |key: &str| (key == "leave_days").then(|| days.clone());
        assert_eq!(expression.holds(&lookup, now()), Ok(expected), "leave_days = {days:?}");
    }
}

#[test]
fn error_messages_read_as_documented() {
    let error = |source: &str| Expression::parse(source).unwrap_err().to_string();
    assert_eq!(
        error("({leave} > 3"),
        "at position 12: expected ')' but found end of expression"
    );
    assert_eq!(
        error("os.system('rm -rf /')"),
        "at position 0: unknown function 'os.system'"
    );
    assert_eq!(error("{a}=='x"), "at position 5: unterminated string");
    let missing = Expression::parse("{nope} > 1")
        .unwrap()
        .evaluate(&fields, now())
        .unwrap_err();
    assert_eq!(missing.to_string(), "unknown field nope");
}

#[test]
fn placeholders_are_distinct_in_first_seen_order() {
    let expression = Expression::parse("{b} + {a} > {b} or {state.state_name} in {a}").unwrap();
    assert_eq!(expression.placeholders(), ["b", "a", "state.state_name"]);
    assert_eq!(expression.source(), "{b} + {a} > {b} or {state.state_name} in {a}");
}

#[test]
fn short_circuit_never_looks_up_the_skipped_side() {
    let lookups = Cell::new(0);
    let lookup = |key: &str| {
        lookups.set(lookups.get() + 1);
        fields(key)
    };
    let expression = Expression::parse("{zero} and {leave_days} or {urgent} and {type}").unwrap();
    assert_eq!(expression.evaluate(&lookup, now()), Ok(Value::Bool(false)));
    assert_eq!(lookups.get(), 2, "only {{zero}} and {{urgent}} are needed");
}

#[test]
fn values_print_like_python() {
    let printed = |value: Value| value.to_string();
    assert_eq!(printed(Value::Float(0.1 + 0.2)), "0.30000000000000004");
    assert_eq!(printed(Value::Float(1.5e-5)), "1.5e-05");
    assert_eq!(printed(Value::Float(123456789012345678.0)), "1.2345678901234568e+17");
    assert_eq!(printed(Value::Float(1e15)), "1000000000000000.0");
    assert_eq!(printed(Value::Float(0.0001)), "0.0001");
    assert_eq!(printed(Value::Float(-0.0)), "-0.0");
    assert_eq!(printed(Value::Float(f64::NAN)), "nan");
    assert_eq!(printed(Value::Float(f64::NEG_INFINITY)), "-inf");
    assert_eq!(
        printed(Value::Duration(TimeDelta::days(-3) + TimeDelta::microseconds(5))),
        "-3 days, 0:00:00.000005"
    );
    assert_eq!(printed(Value::Duration(TimeDelta::seconds(1) / 3)), "0:00:00.333333");
    assert_eq!(
        printed(Value::List(vec![str("it's"), Value::Date(date(2024, 1, 2))])),
        "[\"it's\", 2024-01-02]"
    );
}

#[test]
fn truthiness_follows_python() {
    let falsy = [
        Value::Null,
        Value::Bool(false),
        Value::Int(0),
        Value::Float(0.0),
        str(""),
        Value::List(Vec::new()),
        Value::Duration(TimeDelta::zero()),
    ];
    assert!(falsy.iter().all(|value| !value.is_truthy()));
    let truthy = [
        Value::Int(-1),
        Value::Float(f64::NAN),
        str("0"),
        Value::Date(date(1, 1, 1)),
        Value::List(vec![Value::Null]),
    ];
    assert!(truthy.iter().all(Value::is_truthy));
}

#[test]
fn nesting_is_capped_instead_of_overflowing_the_stack() {
    let nested = |depth: usize| format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(
        Expression::parse(&nested(MAX_DEPTH)).unwrap().evaluate(&fields, now()),
        Ok(Value::Int(1))
    );
    for source in [
        nested(MAX_DEPTH + 1),
        format!("{}1", "-".repeat(MAX_DEPTH + 1)),
        format!("{}1", "[".repeat(2000)),
        format!("{}True", "not ".repeat(1000)),
        format!("{}{{a}}{}", "len(".repeat(500), ")".repeat(500)),
    ] {
        let error = Expression::parse(&source).unwrap_err();
        assert!(error.message.contains("nested more than 64 levels"), "{error}");
    }
    let deepest = Expression::parse(&nested(MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(deepest.position, MAX_DEPTH);
}

#[test]
fn long_operator_chains_stay_flat() {
    let sum = format!("{}1", "1 + ".repeat(1000));
    assert_eq!(
        Expression::parse(&sum).unwrap().evaluate(&fields, now()),
        Ok(Value::Int(1001))
    );
    let conjunction = format!("{}True", "True and ".repeat(400));
    assert_eq!(Expression::parse(&conjunction).unwrap().holds(&fields, now()), Ok(true));
}

#[test]
fn source_and_list_sizes_are_capped() {
    let too_long = format!("1{}", " ".repeat(MAX_SOURCE_CHARS));
    let error = Expression::parse(&too_long).unwrap_err();
    assert_eq!(
        (error.position, error.message.as_str()),
        (MAX_SOURCE_CHARS, "expression is longer than 4096 characters")
    );

    let list = |count: usize| format!("[{}]", "1,".repeat(count));
    let full = Expression::parse(&list(MAX_ELEMENTS))
        .unwrap()
        .evaluate(&fields, now())
        .unwrap();
    assert!(matches!(full, Value::List(items) if items.len() == MAX_ELEMENTS));
    let error = Expression::parse(&list(MAX_ELEMENTS + 1)).unwrap_err();
    assert_eq!(error.position, 1 + 2 * MAX_ELEMENTS);
}

#[test]
fn one_evaluation_cannot_build_unbounded_strings() {
    let repetition = format!("'x' * {MAX_STRING_BYTES}");
    let count = STRING_BUDGET / MAX_STRING_BYTES + 1;
    let source = format!("[{}]", vec![repetition.as_str(); count].join(", "));
    let error = Expression::parse(&source)
        .unwrap()
        .evaluate(&fields, now())
        .unwrap_err();
    assert!(error.message.contains("bytes of strings"), "{error}");

    let huge_list = Value::List(vec![str(&"y".repeat(MAX_STRING_BYTES / 2)); 3]);
    let lookup = |_: &str| Some(huge_list.clone());
    let error = Expression::parse("str({list})")
        .unwrap()
        .evaluate(&lookup, now())
        .unwrap_err();
    assert!(error.message.contains("longer than"), "{error}");
}

/// A deterministic generator, so a failing input can be reproduced from the seed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound
    }
}

fn assorted_value(key: &str) -> Option<Value> {
    let pick = key.bytes().map(usize::from).sum::<usize>() % 12;
    Some(match pick {
        0 => return None,
        1 => Value::Null,
        2 => Value::Bool(true),
        3 => Value::Int(i64::MIN),
        4 => Value::Int(0),
        5 => Value::Float(f64::NAN),
        6 => str("2024-01-01"),
        7 => Value::Date(NaiveDate::MAX),
        8 => Value::DateTime(NaiveDateTime::MIN),
        9 => Value::Duration(TimeDelta::MAX),
        10 => Value::List(vec![Value::Int(i64::MAX), str("中"), Value::Null]),
        _ => str(""),
    })
}

fn exercise(source: &str) {
    match Expression::parse(source) {
        Ok(expression) => {
            let _ = expression.evaluate(&assorted_value, now());
            let _ = expression.evaluate(&fields, now());
        }
        Err(error) => assert!(error.position <= source.chars().count(), "{source:?}: {error}"),
    }
}

/// Random characters mostly exercise the lexer; random tokens parse often enough to also
/// exercise evaluation with field values of every type.
fn random_sources() -> Vec<String> {
    let alphabet: Vec<char> = "{}()[]'\"<>=!+-*/%.,_ abcxyz019eE中\\\n".chars().collect();
    let operands = [
        "{a}",
        "{bb}",
        "{c.d}",
        "1",
        "0",
        "2.5",
        "'s'",
        "'2024-01-01'",
        "None",
        "True",
        "[1, {a}]",
        "len({a})",
        "min({a}, 1)",
        "str({bb})",
        "datetime.timedelta(days={a})",
        "datetime.datetime.strptime({a}, '%Y')",
        "datetime.datetime.now()",
        "({a} + 1)",
    ];
    let operators = [
        "+", "-", "*", "/", "//", "%", "<", "<=", "==", "!=", "in", "not in", "and", "or", "(", ")",
    ];
    let prefixes = ["", "", "not ", "-"];
    let mut random = Lcg(0x5eed);
    let mut sources = Vec::new();
    for _ in 0..100 {
        let length = random.next(40);
        sources.push((0..length).map(|_| alphabet[random.next(alphabet.len())]).collect());
    }
    for _ in 0..100 {
        let mut source = String::new();
        for index in 0..=random.next(4) {
            if index > 0 {
                source += &format!(" {} ", operators[random.next(operators.len())]);
            }
            source += prefixes[random.next(prefixes.len())];
            source += operands[random.next(operands.len())];
        }
        sources.push(source);
    }
    sources
}

#[test]
fn random_input_never_panics() {
    let sources = random_sources();
    let parsed = sources
        .iter()
        .filter(|source| Expression::parse(source).is_ok())
        .count();
    assert!(
        parsed >= 40,
        "only {parsed} random inputs parsed, too few to exercise evaluation"
    );
    for source in &sources {
        exercise(source);
    }
}

#[test]
fn mutated_expressions_never_panic() {
    let seeds: Vec<&str> = cases().iter().map(|(source, _)| *source).collect();
    let fragments = [
        "{a}",
        "{d}",
        "{start}",
        "{span}",
        "'x'",
        "1",
        "-",
        "*",
        "//",
        "%",
        " < ",
        " in ",
        " not ",
        "(",
        ")",
        "[",
        "]",
        ",",
        ".",
        "'",
        "9223372036854775807",
        "1e308",
        "datetime.timedelta(days=",
        "中",
    ];
    let mut random = Lcg(42);
    for round in 0..400 {
        let mut chars: Vec<char> = seeds[round % seeds.len()].chars().collect();
        for _ in 0..=random.next(3) {
            let at = random.next(chars.len() + 1);
            if random.next(2) == 0 && at < chars.len() {
                chars.remove(at);
            } else {
                let fragment = fragments[random.next(fragments.len())];
                chars.splice(at..at, fragment.chars());
            }
        }
        exercise(&chars.into_iter().collect::<String>());
    }
}

fn extreme_values() -> Vec<Value> {
    vec![
        Value::Null,
        Value::Bool(true),
        Value::Int(i64::MIN),
        Value::Int(i64::MAX),
        Value::Int(-1),
        Value::Int(0),
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(-0.0),
        Value::Float(1e308),
        str(""),
        str("2024-01-01"),
        str("中"),
        Value::Date(NaiveDate::MIN),
        Value::Date(NaiveDate::MAX),
        Value::DateTime(NaiveDateTime::MIN),
        Value::DateTime(NaiveDateTime::MAX),
        Value::Duration(TimeDelta::MAX),
        Value::Duration(TimeDelta::MIN),
        Value::Duration(TimeDelta::zero()),
        Value::List(vec![Value::Int(i64::MAX), str("中"), Value::Null]),
        Value::List(Vec::new()),
    ]
}

#[test]
fn every_operation_on_extreme_values_returns_instead_of_panicking() {
    let binary = [
        "+", "-", "*", "/", "//", "%", "<", "<=", ">", ">=", "==", "!=", "in", "not in", "and", "or",
    ];
    let unary = [
        "-{x}",
        "+{x}",
        "not {x}",
        "len({x})",
        "int({x})",
        "float({x})",
        "str({x})",
        "abs({x})",
        "min({x})",
        "max({x}, {x})",
        "datetime.datetime.strptime({x}, '%Y-%m-%d')",
        "datetime.datetime.strptime('2024', {x})",
        "datetime.timedelta(weeks={x}, seconds={x})",
        "{x} * 1e300",
        "{x} * -1",
    ];
    let mut sources: Vec<String> = binary.iter().map(|op| format!("{{x}} {op} {{y}}")).collect();
    sources.extend(unary.iter().map(|source| source.to_string()));
    let expressions: Vec<Expression> = sources
        .iter()
        .map(|source| Expression::parse(source).unwrap())
        .collect();
    let values = extreme_values();
    for x in &values {
        for y in &values {
            let lookup = |key: &str| Some(if key == "x" { x.clone() } else { y.clone() });
            for expression in &expressions {
                let _ = expression.evaluate(&lookup, now());
            }
        }
    }
}
