//! A parser for the Python literals that `ast.literal_eval` accepts, as far as .npy
//! headers and dtype descriptions need them: dicts, lists, tuples, sets, strings (either
//! quote style, triple quotes, `u`/`r` prefixes, escapes, implicit concatenation), bytes,
//! integers (decimal, hex, octal, binary, underscores, unary signs, and optionally the
//! Python 2 `L` suffix), floats and imaginary numbers (recognised, not evaluated), True,
//! False and None, with comments, line continuations and any whitespace in between.
//!
//! One pass, no backtracking: linear in the input. Nesting deeper than Python's own
//! parser allows (200 brackets) is refused, so recursion depth is bounded. Every value
//! holds at most as many items as the input has bytes.

use std::fmt;

mod number;
mod strings;
pub use strings::py_repr_str;

/// Python's tokenizer refuses more than this many open brackets.
pub const MAX_NESTING: usize = 200;

/// A parsed Python literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Bytes(Vec<u8>),
    /// An integer; `None` when it does not fit an i128.
    Int(Option<i128>),
    Float,
    Complex,
    Bool(bool),
    None,
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Set(Vec<Value>),
    /// Key/value pairs in order of appearance, duplicates kept (the last one wins).
    Dict(Vec<(Value, Value)>),
}

impl Value {
    /// The Python type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Int(_) => "int",
            Value::Float => "float",
            Value::Complex => "complex",
            Value::Bool(_) => "bool",
            Value::None => "NoneType",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Dict(_) => "dict",
        }
    }
}

/// A short rendering of a value for error messages (Python's repr where it matters).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = |f: &mut fmt::Formatter<'_>, items: &[Value], open: &str, close: &str| {
            f.write_str(open)?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{item}")?;
            }
            if open == "(" && items.len() == 1 {
                f.write_str(",")?;
            }
            f.write_str(close)
        };
        match self {
            Value::Str(s) => f.write_str(&py_repr_str(s)),
            Value::Bytes(b) => write!(f, "b{:?}", String::from_utf8_lossy(b)),
            Value::Int(Some(n)) => write!(f, "{n}"),
            Value::Int(None) => f.write_str("<huge int>"),
            Value::Float => f.write_str("<float>"),
            Value::Complex => f.write_str("<complex>"),
            Value::Bool(true) => f.write_str("True"),
            Value::Bool(false) => f.write_str("False"),
            Value::None => f.write_str("None"),
            Value::Tuple(items) => seq(f, items, "(", ")"),
            Value::List(items) => seq(f, items, "[", "]"),
            Value::Set(items) => seq(f, items, "{", "}"),
            Value::Dict(pairs) => {
                f.write_str("{")?;
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// Where and why parsing failed. `at` is a character index into the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub at: usize,
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {}", self.reason, self.at)
    }
}

/// Options of the grammar.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// numpy's retry for v1/v2 headers (a round trip through Python's tokenize): accept
    /// a Python 2 `L` after an integer, and a last line of only spaces after the literal.
    pub long_suffix: bool,
}

/// Parses `text` as one Python literal expression, as `ast.literal_eval` does (leading
/// spaces and tabs, blank and comment lines around it are fine).
pub fn parse(text: &str, options: Options) -> Result<Value, ParseError> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        options,
    };
    p.parse_all()
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    options: Options,
}

type PResult<T> = Result<T, ParseError>;

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0c')
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.pos + n).copied()
    }

    fn fail<T>(&self, reason: impl Into<String>) -> PResult<T> {
        Err(ParseError {
            at: self.pos,
            reason: reason.into(),
        })
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "end of text".to_string(),
            Some(c) => format!("{c:?}"),
        }
    }

    /// Skips a line break (\n, \r\n or \r); true if there was one.
    fn skip_newline(&mut self) -> bool {
        match self.peek() {
            Some('\n') => {
                self.pos += 1;
                true
            }
            Some('\r') => {
                self.pos += 1;
                if self.peek() == Some('\n') {
                    self.pos += 1;
                }
                true
            }
            _ => false,
        }
    }

    fn skip_comment(&mut self) {
        if self.peek() == Some('#') {
            while let Some(c) = self.peek() {
                if c == '\n' || c == '\r' {
                    break;
                }
                self.pos += 1;
            }
        }
    }

    /// Whitespace inside brackets: spaces, comments, line breaks, continuations.
    fn skip_ws(&mut self, nested: bool) -> PResult<()> {
        loop {
            match self.peek() {
                Some(c) if is_space(c) => self.pos += 1,
                Some('#') => self.skip_comment(),
                Some('\n' | '\r') if nested => {
                    self.skip_newline();
                }
                Some('\\') => {
                    self.pos += 1;
                    if !self.skip_newline() {
                        return self.fail("unexpected character after line continuation");
                    }
                    if self.peek().is_none() {
                        return self.fail("unexpected end of text after line continuation");
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn parse_all(&mut self) -> PResult<Value> {
        if let Some(i) = self.chars.iter().position(|&c| c == '\0') {
            return Err(ParseError {
                at: i,
                reason: "the text contains a NUL character".into(),
            });
        }
        // Leading spaces and tabs are stripped; then blank and comment lines.
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
        loop {
            let line_start = self.pos;
            while self.peek().is_some_and(is_space) {
                self.pos += 1;
            }
            self.skip_comment();
            if self.skip_newline() {
                continue;
            }
            if self.peek().is_some() && self.pos != line_start && line_start != 0 {
                let mut probe = line_start;
                while probe < self.pos && self.chars[probe] == '\x0c' {
                    probe += 1;
                }
                if probe != self.pos {
                    self.pos = line_start;
                    return self.fail("unexpected indent");
                }
            }
            break;
        }
        let value = self.value(0)?;
        // After the expression: spaces and a comment, then blank lines only.
        self.skip_ws(false)?;
        if self.peek().is_none() {
            return Ok(value);
        }
        if !self.skip_newline() {
            return self.fail(format!("unexpected {} after the literal", self.found()));
        }
        loop {
            let line_start = self.pos;
            while self.peek().is_some_and(is_space) {
                self.pos += 1;
            }
            self.skip_comment();
            if self.skip_newline() {
                continue;
            }
            if self.peek().is_none() {
                if !self.options.long_suffix
                    && self.pos != line_start
                    && self.chars[line_start..self.pos]
                        .iter()
                        .all(|&c| is_space(c))
                {
                    // Python's tokenizer sees an indent on a last line without a newline.
                    self.pos = line_start;
                    return self.fail("unexpected indent");
                }
                return Ok(value);
            }
            return self.fail(format!("unexpected {} after the literal", self.found()));
        }
    }

    /// value := ['+'|'-']* atom, with implicit string concatenation.
    fn value(&mut self, depth: usize) -> PResult<Value> {
        let nested = depth > 0;
        self.skip_ws(nested)?;
        let start = self.pos;
        let mut negative = false;
        let mut signed = false;
        while let Some(c @ ('+' | '-')) = self.peek() {
            if c == '-' {
                negative = !negative;
            }
            signed = true;
            self.pos += 1;
            self.skip_ws(nested)?;
        }
        let value = self.atom(depth)?;
        if signed {
            return match value {
                Value::Int(n) => Ok(Value::Int(if negative {
                    n.and_then(|n| n.checked_neg())
                } else {
                    n
                })),
                Value::Float | Value::Complex => Ok(value),
                other => Err(ParseError {
                    at: start,
                    reason: format!("a sign before a {} is not a literal", other.type_name()),
                }),
            };
        }
        // a + bj / a - bj is a complex literal for literal_eval.
        Ok(value)
    }

    fn atom(&mut self, depth: usize) -> PResult<Value> {
        let nested = depth > 0;
        match self.peek() {
            None => self.fail("unexpected end of text, expected a value"),
            Some(open @ ('(' | '[' | '{')) => {
                if depth >= MAX_NESTING {
                    return self.fail(format!("more than {MAX_NESTING} nested brackets"));
                }
                self.pos += 1;
                match open {
                    '(' => self.tuple(depth + 1),
                    '[' => {
                        let items = self.items(depth + 1, ']')?;
                        Ok(Value::List(items))
                    }
                    _ => self.dict_or_set(depth + 1),
                }
            }
            Some(c) if c == '\'' || c == '"' => self.strings(nested, false, false),
            Some(c)
                if c.is_ascii_digit()
                    || (c == '.' && self.peek_at(1).is_some_and(|d| d.is_ascii_digit())) =>
            {
                self.number()
            }
            Some(c) if is_ident_start(c) => {
                let start = self.pos;
                while self.peek().is_some_and(is_ident_char) {
                    self.pos += 1;
                }
                let word: String = self.chars[start..self.pos].iter().collect();
                if matches!(self.peek(), Some('\'' | '"')) {
                    let lower = word.to_ascii_lowercase();
                    let (raw, bytes) = match lower.as_str() {
                        "u" => (false, false),
                        "r" => (true, false),
                        "b" => (false, true),
                        "br" | "rb" => (true, true),
                        _ => {
                            self.pos = start;
                            return self.fail(format!("unknown string prefix {word:?}"));
                        }
                    };
                    return self.strings(nested, raw, bytes);
                }
                match word.as_str() {
                    "True" => Ok(Value::Bool(true)),
                    "False" => Ok(Value::Bool(false)),
                    "None" => Ok(Value::None),
                    _ => {
                        self.pos = start;
                        self.fail(format!("the name {word:?} is not a literal"))
                    }
                }
            }
            Some(_) => self.fail(format!("unexpected {}, expected a value", self.found())),
        }
    }

    /// After '(' : `()`, `(x)` (just x), `(x,)`, `(x, y, ...)`.
    fn tuple(&mut self, depth: usize) -> PResult<Value> {
        self.skip_ws(true)?;
        if self.peek() == Some(')') {
            self.pos += 1;
            return Ok(Value::Tuple(Vec::new()));
        }
        let first = self.value(depth)?;
        self.skip_ws(true)?;
        match self.peek() {
            Some(')') => {
                self.pos += 1;
                Ok(first)
            }
            Some(',') => {
                self.pos += 1;
                let mut items = vec![first];
                items.extend(self.items(depth, ')')?);
                Ok(Value::Tuple(items))
            }
            _ => self.fail(format!("unexpected {} in a tuple", self.found())),
        }
    }

    /// Comma-separated values up to `close`, a trailing comma allowed.
    fn items(&mut self, depth: usize, close: char) -> PResult<Vec<Value>> {
        let mut items = Vec::new();
        loop {
            self.skip_ws(true)?;
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(items);
            }
            items.push(self.value(depth)?);
            self.skip_ws(true)?;
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(items);
                }
                _ => {
                    return self.fail(format!(
                        "unexpected {}, expected ',' or '{close}'",
                        self.found()
                    ))
                }
            }
        }
    }

    fn dict_or_set(&mut self, depth: usize) -> PResult<Value> {
        self.skip_ws(true)?;
        if self.peek() == Some('}') {
            self.pos += 1;
            return Ok(Value::Dict(Vec::new()));
        }
        let first = self.value(depth)?;
        self.skip_ws(true)?;
        if self.peek() != Some(':') {
            // A set.
            let mut items = vec![first];
            match self.peek() {
                Some('}') => {
                    self.pos += 1;
                    return Ok(Value::Set(items));
                }
                Some(',') => self.pos += 1,
                _ => return self.fail(format!("unexpected {} in a set", self.found())),
            }
            items.extend(self.items(depth, '}')?);
            return Ok(Value::Set(items));
        }
        self.pos += 1;
        let mut pairs = Vec::new();
        let mut key = first;
        loop {
            let value = self.value(depth)?;
            pairs.push((key, value));
            self.skip_ws(true)?;
            match self.peek() {
                Some('}') => {
                    self.pos += 1;
                    return Ok(Value::Dict(pairs));
                }
                Some(',') => self.pos += 1,
                _ => {
                    return self.fail(format!(
                        "unexpected {} in a dict, expected ',' or '}}'",
                        self.found()
                    ))
                }
            }
            self.skip_ws(true)?;
            if self.peek() == Some('}') {
                self.pos += 1;
                return Ok(Value::Dict(pairs));
            }
            key = self.value(depth)?;
            self.skip_ws(true)?;
            if self.peek() != Some(':') {
                return self.fail(format!(
                    "unexpected {} in a dict, expected ':'",
                    self.found()
                ));
            }
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests;
