//! Builds the syntax tree from tokens and rejects every name, attribute and call that is not
//! whitelisted, so nothing outside the language survives parsing.
//!
//! Chains of same-precedence operators are kept flat (`first` plus a list of operator/operand
//! pairs) rather than nested, so the tree depth, and with it the recursion depth of evaluation,
//! grows only with explicit nesting, which is capped.

use super::ParseError;
use super::lexer::{Token, TokenKind};
use super::value::Value;

pub(super) const MAX_DEPTH: usize = 64;
pub(super) const MAX_ELEMENTS: usize = 1000;

#[derive(Debug, Clone)]
pub(super) enum Node {
    Literal(Value),
    Field(String),
    List(Vec<Node>),
    Not(Box<Node>),
    Negate(Box<Node>),
    Positive(Box<Node>),
    Or(Vec<Node>),
    And(Vec<Node>),
    Compare(Box<Node>, Vec<(CompareOp, Node)>),
    Arithmetic(Box<Node>, Vec<(ArithmeticOp, Node)>),
    Call(Call),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CompareOp {
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Equal,
    NotEqual,
    In,
    NotIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ArithmeticOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    FloorDivide,
    Modulo,
}

/// A whitelisted call, its arity checked at parse time.
#[derive(Debug, Clone)]
pub(super) enum Call {
    Strptime(Box<Node>, Box<Node>),
    Now,
    Today,
    Time,
    Timedelta(Vec<(TimeUnit, Node)>),
    Len(Box<Node>),
    Int(Box<Node>),
    Float(Box<Node>),
    Str(Box<Node>),
    Abs(Box<Node>),
    Min(Vec<Node>),
    Max(Vec<Node>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TimeUnit {
    Weeks,
    Days,
    Hours,
    Minutes,
    Seconds,
}

impl TimeUnit {
    pub(super) fn name(self) -> &'static str {
        match self {
            TimeUnit::Weeks => "weeks",
            TimeUnit::Days => "days",
            TimeUnit::Hours => "hours",
            TimeUnit::Minutes => "minutes",
            TimeUnit::Seconds => "seconds",
        }
    }

    fn from_name(name: &str) -> Option<TimeUnit> {
        [
            TimeUnit::Weeks,
            TimeUnit::Days,
            TimeUnit::Hours,
            TimeUnit::Minutes,
            TimeUnit::Seconds,
        ]
        .into_iter()
        .find(|unit| unit.name() == name)
    }
}

const TIMEDELTA: &str = "datetime.timedelta";

/// How a whitelisted function other than `datetime.timedelta` is called.
enum Signature {
    Nullary(Call),
    Unary(fn(Box<Node>) -> Call),
    Binary(fn(Box<Node>, Box<Node>) -> Call),
    Variadic(fn(Vec<Node>) -> Call),
}

impl Signature {
    fn of(name: &str) -> Option<Signature> {
        Some(match name {
            "datetime.datetime.strptime" => Signature::Binary(Call::Strptime),
            "datetime.datetime.now" => Signature::Nullary(Call::Now),
            "datetime.date.today" => Signature::Nullary(Call::Today),
            "time.time" => Signature::Nullary(Call::Time),
            "len" => Signature::Unary(Call::Len),
            "int" => Signature::Unary(Call::Int),
            "float" => Signature::Unary(Call::Float),
            "str" => Signature::Unary(Call::Str),
            "abs" => Signature::Unary(Call::Abs),
            "min" => Signature::Variadic(Call::Min),
            "max" => Signature::Variadic(Call::Max),
            _ => return None,
        })
    }

    /// Builds the call, or says how the argument count is wrong.
    fn apply(self, arguments: Vec<Node>) -> std::result::Result<Call, String> {
        let count = arguments.len();
        let wrong = |expected: &str| format!("takes {expected} but {count} were given");
        match self {
            Signature::Nullary(call) if count == 0 => Ok(call),
            Signature::Nullary(_) => Err(wrong("no arguments")),
            Signature::Unary(make) => <[Node; 1]>::try_from(arguments)
                .map(|[argument]| make(Box::new(argument)))
                .map_err(|_| wrong("exactly 1 argument")),
            Signature::Binary(make) => <[Node; 2]>::try_from(arguments)
                .map(|[first, second]| make(Box::new(first), Box::new(second)))
                .map_err(|_| wrong("exactly 2 arguments")),
            Signature::Variadic(make) if count > 0 => Ok(make(arguments)),
            Signature::Variadic(_) => Err(wrong("at least 1 argument")),
        }
    }
}

pub(super) struct Parsed {
    pub(super) root: Node,
    pub(super) placeholders: Vec<String>,
}

/// Parses a whole expression; `end` is the source length in characters.
pub(super) fn parse(tokens: &[Token], end: usize) -> Result<Parsed> {
    if tokens.is_empty() {
        return Err(ParseError::new(0, "empty expression"));
    }
    let mut parser = Parser {
        tokens,
        end: Token {
            kind: TokenKind::End,
            position: end,
        },
        index: 0,
        depth: 0,
        placeholders: Vec::new(),
    };
    let root = parser.expression()?;
    let next = parser.peek();
    if next.kind != TokenKind::End {
        return Err(ParseError::new(
            next.position,
            format!(
                "expected an operator or end of expression but found {}",
                next.kind.describe()
            ),
        ));
    }
    Ok(Parsed {
        root,
        placeholders: parser.placeholders,
    })
}

type Result<T> = std::result::Result<T, ParseError>;

struct Parser<'t> {
    tokens: &'t [Token],
    end: Token,
    index: usize,
    depth: usize,
    placeholders: Vec<String>,
}

impl<'t> Parser<'t> {
    fn peek_at(&self, ahead: usize) -> &Token {
        self.tokens.get(self.index + ahead).unwrap_or(&self.end)
    }

    fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        self.index = (self.index + 1).min(self.tokens.len());
        token
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        let matches = self.peek().kind == *kind;
        if matches {
            self.advance();
        }
        matches
    }

    fn error_expected(&self, expected: &str) -> ParseError {
        let found = self.peek();
        ParseError::new(
            found.position,
            format!("expected {expected} but found {}", found.kind.describe()),
        )
    }

    /// Runs `inner` one nesting level deeper, failing at `position` past the depth cap so that
    /// hostile input cannot exhaust the stack.
    fn nested<T>(&mut self, position: usize, inner: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError::new(
                position,
                format!("expression is nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.depth += 1;
        let result = inner(self);
        self.depth -= 1;
        result
    }

    fn expression(&mut self) -> Result<Node> {
        self.or()
    }

    fn or(&mut self) -> Result<Node> {
        let first = self.and()?;
        if self.peek().kind != TokenKind::Or {
            return Ok(first);
        }
        let mut operands = vec![first];
        while self.eat(&TokenKind::Or) {
            operands.push(self.and()?);
        }
        Ok(Node::Or(operands))
    }

    fn and(&mut self) -> Result<Node> {
        let first = self.not()?;
        if self.peek().kind != TokenKind::And {
            return Ok(first);
        }
        let mut operands = vec![first];
        while self.eat(&TokenKind::And) {
            operands.push(self.not()?);
        }
        Ok(Node::And(operands))
    }

    fn not(&mut self) -> Result<Node> {
        if self.peek().kind != TokenKind::Not {
            return self.comparison();
        }
        let position = self.advance().position;
        let operand = self.nested(position, Self::not)?;
        Ok(Node::Not(Box::new(operand)))
    }

    fn comparison(&mut self) -> Result<Node> {
        let first = self.sum()?;
        let mut rest = Vec::new();
        while let Some(op) = self.comparison_operator()? {
            rest.push((op, self.sum()?));
        }
        if rest.is_empty() {
            Ok(first)
        } else {
            Ok(Node::Compare(Box::new(first), rest))
        }
    }

    fn comparison_operator(&mut self) -> Result<Option<CompareOp>> {
        let token = self.peek();
        let op = match token.kind {
            TokenKind::Less => CompareOp::Less,
            TokenKind::LessEqual => CompareOp::LessEqual,
            TokenKind::Greater => CompareOp::Greater,
            TokenKind::GreaterEqual => CompareOp::GreaterEqual,
            TokenKind::Equal => CompareOp::Equal,
            TokenKind::NotEqual => CompareOp::NotEqual,
            TokenKind::In => CompareOp::In,
            TokenKind::Not if self.peek_at(1).kind == TokenKind::In => {
                self.advance();
                CompareOp::NotIn
            }
            TokenKind::Assign => {
                return Err(ParseError::new(token.position, "'=' is not a comparison; use '=='"));
            }
            _ => return Ok(None),
        };
        self.advance();
        Ok(Some(op))
    }

    fn sum(&mut self) -> Result<Node> {
        self.arithmetic_chain(Self::product, |kind| match kind {
            TokenKind::Plus => Some(ArithmeticOp::Add),
            TokenKind::Minus => Some(ArithmeticOp::Subtract),
            _ => None,
        })
    }

    fn product(&mut self) -> Result<Node> {
        self.arithmetic_chain(Self::unary, |kind| match kind {
            TokenKind::Star => Some(ArithmeticOp::Multiply),
            TokenKind::Slash => Some(ArithmeticOp::Divide),
            TokenKind::DoubleSlash => Some(ArithmeticOp::FloorDivide),
            TokenKind::Percent => Some(ArithmeticOp::Modulo),
            _ => None,
        })
    }

    fn arithmetic_chain(
        &mut self,
        operand: fn(&mut Self) -> Result<Node>,
        operator: fn(&TokenKind) -> Option<ArithmeticOp>,
    ) -> Result<Node> {
        let first = operand(self)?;
        let mut rest = Vec::new();
        while let Some(op) = operator(&self.peek().kind) {
            self.advance();
            rest.push((op, operand(self)?));
        }
        if rest.is_empty() {
            Ok(first)
        } else {
            Ok(Node::Arithmetic(Box::new(first), rest))
        }
    }

    fn unary(&mut self) -> Result<Node> {
        let wrap = match self.peek().kind {
            TokenKind::Minus => Node::Negate,
            TokenKind::Plus => Node::Positive,
            _ => return self.postfix(),
        };
        let position = self.advance().position;
        let operand = self.nested(position, Self::unary)?;
        Ok(wrap(Box::new(operand)))
    }

    /// A primary followed by `.`, `[` or `(` would be attribute access, indexing or a call on a
    /// value: none exists in the language, and saying so beats a generic "unexpected token".
    fn postfix(&mut self) -> Result<Node> {
        let node = self.primary()?;
        let next = self.peek();
        let message = match next.kind {
            TokenKind::Dot => match &self.peek_at(1).kind {
                TokenKind::Name(name) => format!("attribute access '.{name}' is not allowed"),
                _ => "attribute access is not allowed".to_owned(),
            },
            TokenKind::LeftBracket => "indexing with '[...]' is not supported".to_owned(),
            TokenKind::LeftParen => "only the whitelisted functions can be called".to_owned(),
            _ => return Ok(node),
        };
        Err(ParseError::new(next.position, message))
    }

    fn primary(&mut self) -> Result<Node> {
        let token = self.advance();
        let literal = match token.kind {
            TokenKind::Int(value) => Value::Int(value),
            TokenKind::Float(value) => Value::Float(value),
            TokenKind::Str(text) => Value::Str(text),
            TokenKind::True => Value::Bool(true),
            TokenKind::False => Value::Bool(false),
            TokenKind::None => Value::Null,
            TokenKind::Field(key) => {
                if !self.placeholders.contains(&key) {
                    self.placeholders.push(key.clone());
                }
                return Ok(Node::Field(key));
            }
            TokenKind::LeftParen => return self.nested(token.position, Self::parenthesized),
            TokenKind::LeftBracket => {
                return self.nested(token.position, |parser| {
                    parser
                        .comma_separated(Vec::new(), TokenKind::RightBracket, "']'", Self::expression)
                        .map(Node::List)
                });
            }
            TokenKind::Name(name) => return self.call(name, token.position),
            other => {
                return Err(ParseError::new(
                    token.position,
                    format!("expected an operand but found {}", other.describe()),
                ));
            }
        };
        Ok(Node::Literal(literal))
    }

    /// After `(`: a parenthesized expression, or a tuple when a comma follows the first element.
    fn parenthesized(&mut self) -> Result<Node> {
        if self.eat(&TokenKind::RightParen) {
            return Ok(Node::List(Vec::new()));
        }
        let first = self.expression()?;
        if self.eat(&TokenKind::RightParen) {
            return Ok(first);
        }
        if !self.eat(&TokenKind::Comma) {
            return Err(self.error_expected("')'"));
        }
        self.comma_separated(vec![first], TokenKind::RightParen, "')'", Self::expression)
            .map(Node::List)
    }

    /// Parses `item (, item)* ,? close` after the opening bracket (and after any `items` the
    /// caller already parsed), allowing a trailing comma as Python does.
    fn comma_separated<T>(
        &mut self,
        mut items: Vec<T>,
        close: TokenKind,
        close_text: &str,
        item: impl Fn(&mut Self) -> Result<T>,
    ) -> Result<Vec<T>> {
        loop {
            if self.eat(&close) {
                return Ok(items);
            }
            if items.len() >= MAX_ELEMENTS {
                return Err(ParseError::new(
                    self.peek().position,
                    format!("more than {MAX_ELEMENTS} elements in one list or call"),
                ));
            }
            items.push(item(self)?);
            if self.eat(&close) {
                return Ok(items);
            }
            if !self.eat(&TokenKind::Comma) {
                return Err(self.error_expected(&format!("',' or {close_text}")));
            }
        }
    }

    /// A name is only valid as the (possibly dotted) name of a whitelisted function being called.
    fn call(&mut self, first: String, position: usize) -> Result<Node> {
        let mut name = first;
        while self.peek().kind == TokenKind::Dot {
            let TokenKind::Name(part) = &self.peek_at(1).kind else {
                break;
            };
            name = format!("{name}.{part}");
            self.advance();
            self.advance();
        }
        let signature = Signature::of(&name);
        let open = self.peek().position;
        if !self.eat(&TokenKind::LeftParen) {
            let message = if signature.is_some() || name == TIMEDELTA {
                format!("'{name}' is a function and must be called")
            } else {
                format!("unknown name '{name}'")
            };
            return Err(ParseError::new(position, message));
        }
        if name == TIMEDELTA {
            return self
                .nested(open, Self::timedelta_arguments)
                .map(|parts| Node::Call(Call::Timedelta(parts)));
        }
        let Some(signature) = signature else {
            return Err(ParseError::new(position, format!("unknown function '{name}'")));
        };
        let arguments = self.nested(open, |parser| {
            parser.comma_separated(Vec::new(), TokenKind::RightParen, "')'", Self::positional_argument)
        })?;
        signature
            .apply(arguments)
            .map(Node::Call)
            .map_err(|message| ParseError::new(position, format!("{name}() {message}")))
    }

    fn positional_argument(&mut self) -> Result<Node> {
        let token = self.peek();
        if let TokenKind::Name(name) = &token.kind
            && self.peek_at(1).kind == TokenKind::Assign
        {
            return Err(ParseError::new(
                token.position,
                format!("unexpected keyword argument '{name}'; only datetime.timedelta takes keyword arguments"),
            ));
        }
        self.expression()
    }

    fn timedelta_arguments(&mut self) -> Result<Vec<(TimeUnit, Node)>> {
        let arguments = self.comma_separated(Vec::new(), TokenKind::RightParen, "')'", Self::keyword_argument)?;
        let mut parts: Vec<(TimeUnit, Node)> = Vec::with_capacity(arguments.len());
        for (unit, position, value) in arguments {
            if parts.iter().any(|(seen, _)| *seen == unit) {
                return Err(ParseError::new(
                    position,
                    format!("keyword argument '{}' repeated", unit.name()),
                ));
            }
            parts.push((unit, value));
        }
        Ok(parts)
    }

    fn keyword_argument(&mut self) -> Result<(TimeUnit, usize, Node)> {
        let token = self.peek().clone();
        let name = match token.kind {
            TokenKind::Name(name) if self.peek_at(1).kind == TokenKind::Assign => name,
            _ => {
                return Err(ParseError::new(
                    token.position,
                    "datetime.timedelta takes keyword arguments only, such as datetime.timedelta(days=3)",
                ));
            }
        };
        let unit = TimeUnit::from_name(&name).ok_or_else(|| {
            ParseError::new(
                token.position,
                format!(
                    "unknown keyword argument '{name}' for datetime.timedelta; \
                     expected weeks, days, hours, minutes or seconds"
                ),
            )
        })?;
        self.advance();
        self.advance();
        Ok((unit, token.position, self.expression()?))
    }
}
