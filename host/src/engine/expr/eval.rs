//! Walks the syntax tree. Recursion follows the tree, whose depth the parser caps, and operator
//! chains are folded in loops.

use std::cmp::Ordering;

use chrono::NaiveDateTime;

use super::EvalError;
use super::parser::{ArithmeticOp, Call, CompareOp, Node};
use super::value::Value;
use super::{builtins, operators};

/// Total bytes of strings one evaluation may build. Each string is capped at 1 MiB, but an
/// expression could build many of them (say a list of repetitions).
pub(super) const STRING_BUDGET: usize = 8 << 20;

type Result<T> = std::result::Result<T, EvalError>;

pub(super) fn evaluate(root: &Node, lookup: &dyn Fn(&str) -> Option<Value>, now: NaiveDateTime) -> Result<Value> {
    Evaluator {
        lookup,
        now,
        string_budget: STRING_BUDGET,
    }
    .eval(root)
}

struct Evaluator<'a> {
    lookup: &'a dyn Fn(&str) -> Option<Value>,
    now: NaiveDateTime,
    string_budget: usize,
}

impl Evaluator<'_> {
    fn eval(&mut self, node: &Node) -> Result<Value> {
        match node {
            Node::Literal(value) => Ok(value.clone()),
            Node::Field(key) => (self.lookup)(key).ok_or_else(|| EvalError::new(format!("unknown field {key}"))),
            Node::List(items) => self.eval_all(items).map(Value::List),
            Node::Not(operand) => Ok(Value::Bool(!self.eval(operand)?.is_truthy())),
            Node::Negate(operand) => operators::negate(self.eval(operand)?),
            Node::Positive(operand) => operators::positive(self.eval(operand)?),
            Node::Or(operands) => self.short_circuit(operands, true),
            Node::And(operands) => self.short_circuit(operands, false),
            Node::Compare(first, rest) => self.compare_chain(first, rest),
            Node::Arithmetic(first, rest) => {
                let mut accumulated = self.eval(first)?;
                for (op, operand) in rest {
                    let operand = self.eval(operand)?;
                    accumulated = arithmetic(*op, accumulated, operand)?;
                    self.charge(&accumulated)?;
                }
                Ok(accumulated)
            }
            Node::Call(call) => {
                let result = self.call(call)?;
                self.charge(&result)?;
                Ok(result)
            }
        }
    }

    fn eval_all(&mut self, nodes: &[Node]) -> Result<Vec<Value>> {
        nodes.iter().map(|node| self.eval(node)).collect()
    }

    /// Python's `or` (stopping at the first truthy operand) and `and` (at the first falsy one):
    /// the result is the operand where evaluation stopped, and later operands are never touched.
    fn short_circuit(&mut self, operands: &[Node], stop_when: bool) -> Result<Value> {
        let mut value = Value::Null;
        for operand in operands {
            value = self.eval(operand)?;
            if value.is_truthy() == stop_when {
                break;
            }
        }
        Ok(value)
    }

    /// `a < b <= c` means `a < b and b <= c`, with `b` evaluated once and `c` not at all when
    /// `a < b` is false.
    fn compare_chain(&mut self, first: &Node, rest: &[(CompareOp, Node)]) -> Result<Value> {
        let mut left = self.eval(first)?;
        for (op, operand) in rest {
            let right = self.eval(operand)?;
            if !compare(*op, &left, &right)? {
                return Ok(Value::Bool(false));
            }
            left = right;
        }
        Ok(Value::Bool(true))
    }

    fn call(&mut self, call: &Call) -> Result<Value> {
        match call {
            Call::Strptime(text, format) => {
                let text = self.eval(text)?;
                builtins::strptime(text, self.eval(format)?)
            }
            Call::Now => Ok(Value::DateTime(self.now)),
            Call::Today => Ok(Value::Date(self.now.date())),
            Call::Time => Ok(builtins::timestamp(self.now)),
            Call::Timedelta(parts) => {
                let mut values = Vec::with_capacity(parts.len());
                for (unit, amount) in parts {
                    values.push((*unit, self.eval(amount)?));
                }
                builtins::timedelta(&values)
            }
            Call::Len(argument) => builtins::len(&self.eval(argument)?),
            Call::Int(argument) => builtins::to_int(&self.eval(argument)?),
            Call::Float(argument) => builtins::to_float(&self.eval(argument)?),
            Call::Str(argument) => builtins::to_str(&self.eval(argument)?),
            Call::Abs(argument) => builtins::abs(&self.eval(argument)?),
            Call::Min(arguments) => builtins::extreme(self.eval_all(arguments)?, Ordering::Less, "min"),
            Call::Max(arguments) => builtins::extreme(self.eval_all(arguments)?, Ordering::Greater, "max"),
        }
    }

    fn charge(&mut self, value: &Value) -> Result<()> {
        if let Value::Str(text) = value {
            self.string_budget = self.string_budget.checked_sub(text.len()).ok_or_else(|| {
                EvalError::new(format!("expression builds more than {STRING_BUDGET} bytes of strings"))
            })?;
        }
        Ok(())
    }
}

fn arithmetic(op: ArithmeticOp, left: Value, right: Value) -> Result<Value> {
    match op {
        ArithmeticOp::Add => operators::add(left, right),
        ArithmeticOp::Subtract => operators::subtract(left, right),
        ArithmeticOp::Multiply => operators::multiply(left, right),
        ArithmeticOp::Divide => operators::divide(left, right),
        ArithmeticOp::FloorDivide => operators::floor_divide(left, right),
        ArithmeticOp::Modulo => operators::modulo(left, right),
    }
}

fn compare(op: CompareOp, left: &Value, right: &Value) -> Result<bool> {
    Ok(match op {
        CompareOp::Equal => operators::equals(left, right)?,
        CompareOp::NotEqual => !operators::equals(left, right)?,
        CompareOp::Less => operators::order(left, right, "<")? == Some(Ordering::Less),
        CompareOp::LessEqual => matches!(
            operators::order(left, right, "<=")?,
            Some(Ordering::Less | Ordering::Equal)
        ),
        CompareOp::Greater => operators::order(left, right, ">")? == Some(Ordering::Greater),
        CompareOp::GreaterEqual => {
            matches!(
                operators::order(left, right, ">=")?,
                Some(Ordering::Greater | Ordering::Equal)
            )
        }
        CompareOp::In => operators::contains(right, left)?,
        CompareOp::NotIn => !operators::contains(right, left)?,
    })
}
