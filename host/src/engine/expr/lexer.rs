//! Splits source text into tokens, each tagged with its character offset for error messages.

use super::ParseError;

pub(super) const MAX_SOURCE_CHARS: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokenKind {
    Int(i64),
    Float(f64),
    Str(String),
    Field(String),
    Name(String),
    And,
    Or,
    Not,
    In,
    True,
    False,
    None,
    Plus,
    Minus,
    Star,
    Slash,
    DoubleSlash,
    Percent,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Equal,
    NotEqual,
    Assign,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Dot,
    End,
}

impl TokenKind {
    /// How the token is named in "expected … but found …" messages.
    pub(super) fn describe(&self) -> String {
        let symbol = match self {
            TokenKind::Int(value) => return format!("number {value}"),
            TokenKind::Float(value) => return format!("number {value}"),
            TokenKind::Str(_) => return "a string".to_owned(),
            TokenKind::Field(key) => return format!("field {{{key}}}"),
            TokenKind::Name(name) => return format!("'{name}'"),
            TokenKind::End => return "end of expression".to_owned(),
            TokenKind::And => "and",
            TokenKind::Or => "or",
            TokenKind::Not => "not",
            TokenKind::In => "in",
            TokenKind::True => "True",
            TokenKind::False => "False",
            TokenKind::None => "None",
            TokenKind::Plus => "+",
            TokenKind::Minus => "-",
            TokenKind::Star => "*",
            TokenKind::Slash => "/",
            TokenKind::DoubleSlash => "//",
            TokenKind::Percent => "%",
            TokenKind::Less => "<",
            TokenKind::LessEqual => "<=",
            TokenKind::Greater => ">",
            TokenKind::GreaterEqual => ">=",
            TokenKind::Equal => "==",
            TokenKind::NotEqual => "!=",
            TokenKind::Assign => "=",
            TokenKind::LeftParen => "(",
            TokenKind::RightParen => ")",
            TokenKind::LeftBracket => "[",
            TokenKind::RightBracket => "]",
            TokenKind::Comma => ",",
            TokenKind::Dot => ".",
        };
        format!("'{symbol}'")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub(super) kind: TokenKind,
    pub(super) position: usize,
}

/// Tokenizes `source`; the result does not include an end marker.
pub(super) fn tokenize(source: &str) -> Result<Vec<Token>, ParseError> {
    if source.chars().nth(MAX_SOURCE_CHARS).is_some() {
        return Err(ParseError::new(
            MAX_SOURCE_CHARS,
            format!("expression is longer than {MAX_SOURCE_CHARS} characters"),
        ));
    }
    let mut lexer = Lexer {
        chars: source.chars().collect(),
        pos: 0,
    };
    let mut tokens = Vec::new();
    while let Some(token) = lexer.next_token()? {
        tokens.push(token);
    }
    Ok(tokens)
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

impl Lexer {
    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn peek(&self) -> Option<char> {
        self.peek_at(0)
    }

    fn text(&self, start: usize) -> String {
        self.chars[start..self.pos].iter().collect()
    }

    fn next_token(&mut self) -> Result<Option<Token>, ParseError> {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let kind = match c {
            '0'..='9' => self.number()?,
            '.' if self.peek_at(1).is_some_and(|next| next.is_ascii_digit()) => self.number()?,
            '\'' | '"' => self.string(c)?,
            '{' => self.field()?,
            c if c.is_ascii_alphabetic() || c == '_' => self.word(),
            _ => self.operator(c)?,
        };
        Ok(Some(Token { kind, position: start }))
    }

    fn skip_digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn number(&mut self) -> Result<TokenKind, ParseError> {
        let start = self.pos;
        self.skip_digits();
        let mut is_float = false;
        if self.peek() == Some('.') {
            is_float = true;
            self.pos += 1;
            self.skip_digits();
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let sign = usize::from(matches!(self.peek_at(1), Some('+' | '-')));
            if self.peek_at(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                is_float = true;
                self.pos += 1 + sign;
                self.skip_digits();
            }
        }
        // Python rejects `1abc` and `1e` outright; reading them as a number followed by a name
        // would only produce a more confusing error later.
        if self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                self.pos += 1;
            }
            return Err(ParseError::new(start, format!("invalid number '{}'", self.text(start))));
        }
        let text = self.text(start);
        if is_float {
            text.parse()
                .map(TokenKind::Float)
                .map_err(|_| ParseError::new(start, format!("invalid number '{text}'")))
        } else {
            text.parse()
                .map(TokenKind::Int)
                .map_err(|_| ParseError::new(start, format!("integer {text} is too large")))
        }
    }

    fn string(&mut self, quote: char) -> Result<TokenKind, ParseError> {
        let start = self.pos;
        let triple = self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote);
        let quote_len = if triple { 3 } else { 1 };
        self.pos += quote_len;
        let unterminated = || ParseError::new(start, "unterminated string");
        let mut text = String::new();
        loop {
            let c = self.peek().ok_or_else(unterminated)?;
            let closes = c == quote && (!triple || (self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote)));
            if closes {
                self.pos += quote_len;
                return Ok(TokenKind::Str(text));
            }
            if c == '\n' && !triple {
                return Err(unterminated());
            }
            if c == '\\' {
                let escaped = self.peek_at(1).ok_or_else(unterminated)?;
                match escaped {
                    '\\' | '\'' | '"' => text.push(escaped),
                    'n' => text.push('\n'),
                    't' => text.push('\t'),
                    'r' => text.push('\r'),
                    // A backslash before a newline continues the line, as in Python.
                    '\n' => {}
                    // Python keeps unknown escapes such as `\d` as written.
                    _ => {
                        text.push('\\');
                        text.push(escaped);
                    }
                }
                self.pos += 2;
                continue;
            }
            text.push(c);
            self.pos += 1;
        }
    }

    fn field(&mut self) -> Result<TokenKind, ParseError> {
        let start = self.pos;
        self.pos += 1;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            self.pos += 1;
        }
        match self.peek() {
            Some('}') if self.pos == start + 1 => Err(ParseError::new(
                start,
                "empty placeholder '{}'; expected a field key such as {leave_days}",
            )),
            Some('}') => {
                let key = self.chars[start + 1..self.pos].iter().collect();
                self.pos += 1;
                Ok(TokenKind::Field(key))
            }
            Some(c) => Err(ParseError::new(
                self.pos,
                format!("invalid character '{c}' in placeholder; a field key holds only letters, digits, '_' and '.'"),
            )),
            None => Err(ParseError::new(start, "unterminated placeholder; expected '}'")),
        }
    }

    fn word(&mut self) -> TokenKind {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            self.pos += 1;
        }
        let word = self.text(start);
        match word.as_str() {
            "and" => TokenKind::And,
            "or" => TokenKind::Or,
            "not" => TokenKind::Not,
            "in" => TokenKind::In,
            "True" | "true" => TokenKind::True,
            "False" | "false" => TokenKind::False,
            "None" | "null" => TokenKind::None,
            _ => TokenKind::Name(word),
        }
    }

    fn operator(&mut self, c: char) -> Result<TokenKind, ParseError> {
        let start = self.pos;
        let next = self.peek_at(1);
        let (kind, len) = match (c, next) {
            ('*', Some('*')) => return Err(ParseError::new(start, "the power operator '**' is not supported")),
            ('/', Some('/')) => (TokenKind::DoubleSlash, 2),
            ('<', Some('=')) => (TokenKind::LessEqual, 2),
            ('>', Some('=')) => (TokenKind::GreaterEqual, 2),
            ('=', Some('=')) => (TokenKind::Equal, 2),
            ('!', Some('=')) => (TokenKind::NotEqual, 2),
            ('+', _) => (TokenKind::Plus, 1),
            ('-', _) => (TokenKind::Minus, 1),
            ('*', _) => (TokenKind::Star, 1),
            ('/', _) => (TokenKind::Slash, 1),
            ('%', _) => (TokenKind::Percent, 1),
            ('<', _) => (TokenKind::Less, 1),
            ('>', _) => (TokenKind::Greater, 1),
            ('=', _) => (TokenKind::Assign, 1),
            ('(', _) => (TokenKind::LeftParen, 1),
            (')', _) => (TokenKind::RightParen, 1),
            ('[', _) => (TokenKind::LeftBracket, 1),
            (']', _) => (TokenKind::RightBracket, 1),
            (',', _) => (TokenKind::Comma, 1),
            ('.', _) => (TokenKind::Dot, 1),
            ('!', _) => return Err(ParseError::new(start, "unexpected character '!'; use 'not' to negate")),
            ('&', _) => return Err(ParseError::new(start, "unexpected character '&'; use 'and'")),
            ('|', _) => return Err(ParseError::new(start, "unexpected character '|'; use 'or'")),
            _ => return Err(ParseError::new(start, format!("unexpected character '{c}'"))),
        };
        self.pos += len;
        Ok(kind)
    }
}
