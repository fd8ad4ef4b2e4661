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

    /// One or more adjacent string literals (the first one's prefix already consumed).
    fn strings(&mut self, nested: bool, raw: bool, bytes: bool) -> PResult<Value> {
        let mut text = String::new();
        let mut is_bytes = bytes;
        let mut first = true;
        let (mut raw, mut this_bytes) = (raw, bytes);
        loop {
            if !first {
                // Another literal may follow after whitespace.
                let save = self.pos;
                self.skip_ws(nested)?;
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) && self.pos - start < 2 {
                    self.pos += 1;
                }
                let prefix: String = self.chars[start..self.pos]
                    .iter()
                    .collect::<String>()
                    .to_ascii_lowercase();
                if !matches!(self.peek(), Some('\'' | '"')) {
                    self.pos = save;
                    break;
                }
                (raw, this_bytes) = match prefix.as_str() {
                    "" => (false, false),
                    "u" => (false, false),
                    "r" => (true, false),
                    "b" => (false, true),
                    "br" | "rb" => (true, true),
                    _ => {
                        self.pos = save;
                        break;
                    }
                };
                if this_bytes != is_bytes {
                    return self.fail("cannot mix bytes and nonbytes literals");
                }
            }
            first = false;
            is_bytes = this_bytes;
            self.one_string(raw, this_bytes, &mut text)?;
        }
        if is_bytes {
            Ok(Value::Bytes(text.chars().map(|c| c as u32 as u8).collect()))
        } else {
            Ok(Value::Str(text))
        }
    }

    fn one_string(&mut self, raw: bool, bytes: bool, out: &mut String) -> PResult<()> {
        let start = self.pos;
        let quote = self.peek().unwrap_or('\'');
        let triple = self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote);
        self.pos += if triple { 3 } else { 1 };
        loop {
            let Some(c) = self.peek() else {
                self.pos = start;
                return self.fail("unterminated string literal");
            };
            if c == quote {
                if !triple {
                    self.pos += 1;
                    return Ok(());
                }
                if self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote) {
                    self.pos += 3;
                    return Ok(());
                }
                out.push(c);
                self.pos += 1;
                continue;
            }
            if (c == '\n' || c == '\r') && !triple {
                self.pos = start;
                return self.fail("unterminated string literal (a line break inside quotes)");
            }
            if bytes && !c.is_ascii() {
                return self.fail("bytes can only contain ASCII literal characters");
            }
            if c != '\\' {
                out.push(c);
                self.pos += 1;
                continue;
            }
            // A backslash.
            self.pos += 1;
            let Some(e) = self.peek() else {
                self.pos = start;
                return self.fail("unterminated string literal");
            };
            if raw {
                // Raw strings keep the backslash and the next character (which cannot
                // end the string).
                out.push('\\');
                out.push(e);
                self.pos += 1;
                if e == '\r' && self.peek() == Some('\n') {
                    out.push('\n');
                    self.pos += 1;
                }
                continue;
            }
            self.pos += 1;
            match e {
                '\n' => {}
                '\r' => {
                    if self.peek() == Some('\n') {
                        self.pos += 1;
                    }
                }
                '\\' => out.push('\\'),
                '\'' => out.push('\''),
                '"' => out.push('"'),
                'a' => out.push('\x07'),
                'b' => out.push('\x08'),
                'f' => out.push('\x0c'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'v' => out.push('\x0b'),
                '0'..='7' => {
                    let mut v = e as u32 - '0' as u32;
                    for _ in 0..2 {
                        match self.peek() {
                            Some(d @ '0'..='7') => {
                                v = v * 8 + (d as u32 - '0' as u32);
                                self.pos += 1;
                            }
                            _ => break,
                        }
                    }
                    if bytes {
                        out.push(char::from_u32(v & 0xff).unwrap_or('\0'));
                    } else {
                        self.push_code(v, out)?;
                    }
                }
                'x' => {
                    let v = self.hex_digits(2)?;
                    self.push_code(v, out)?;
                }
                'u' | 'U' if !bytes => {
                    let v = self.hex_digits(if e == 'u' { 4 } else { 8 })?;
                    self.push_code(v, out)?;
                }
                'N' if !bytes => {
                    return self
                        .fail("\\N{...} escapes (Unicode character names) are not supported");
                }
                other => {
                    // Python keeps unknown escapes as they are (with a warning).
                    out.push('\\');
                    out.push(other);
                }
            }
        }
    }

    fn hex_digits(&mut self, n: usize) -> PResult<u32> {
        let mut v: u32 = 0;
        for _ in 0..n {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    v = v.wrapping_mul(16).wrapping_add(d);
                    self.pos += 1;
                }
                None => return self.fail("truncated \\x, \\u or \\U escape"),
            }
        }
        Ok(v)
    }

    fn push_code(&self, v: u32, out: &mut String) -> PResult<()> {
        match char::from_u32(v) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => self.fail(format!(
                "escape \\U{v:08x} is not a Unicode scalar value (surrogates and values past U+10FFFF are not supported)"
            )),
        }
    }

    /// An integer, float or imaginary number.
    fn number(&mut self) -> PResult<Value> {
        let start = self.pos;
        let mut value: Option<i128> = Some(0);
        let radix_prefix = if self.peek() == Some('0') {
            match self.peek_at(1) {
                Some('x' | 'X') => Some(16),
                Some('o' | 'O') => Some(8),
                Some('b' | 'B') => Some(2),
                _ => None,
            }
        } else {
            None
        };
        let result = if let Some(radix) = radix_prefix {
            self.pos += 2;
            let mut digits = 0;
            loop {
                match self.peek() {
                    Some('_') if digits > 0 || self.chars[self.pos - 1] != '_' => {
                        if !self.peek_at(1).is_some_and(|c| c.is_digit(radix)) {
                            return self.fail("invalid number literal");
                        }
                        self.pos += 1;
                    }
                    Some(c) if c.is_digit(radix) => {
                        let d = c.to_digit(radix).unwrap_or(0) as i128;
                        value = value
                            .and_then(|v| v.checked_mul(radix as i128))
                            .and_then(|v| v.checked_add(d));
                        digits += 1;
                        self.pos += 1;
                    }
                    _ => break,
                }
            }
            if digits == 0 {
                return self.fail("invalid number literal");
            }
            Value::Int(value)
        } else {
            let mut is_float = false;
            let mut int_digits = String::new();
            let digits_part = |p: &mut Parser, keep: Option<&mut String>| -> PResult<usize> {
                let mut n = 0;
                let mut keep = keep;
                while let Some(c) = p.peek() {
                    if c.is_ascii_digit() {
                        if let Some(k) = keep.as_deref_mut() {
                            k.push(c);
                        }
                        n += 1;
                        p.pos += 1;
                    } else if c == '_' && n > 0 && p.peek_at(1).is_some_and(|d| d.is_ascii_digit())
                    {
                        p.pos += 1;
                    } else {
                        break;
                    }
                }
                Ok(n)
            };
            digits_part(self, Some(&mut int_digits))?;
            if self.peek() == Some('.') {
                is_float = true;
                self.pos += 1;
                digits_part(self, None)?;
            }
            if matches!(self.peek(), Some('e' | 'E')) {
                let save = self.pos;
                self.pos += 1;
                if matches!(self.peek(), Some('+' | '-')) {
                    self.pos += 1;
                }
                if digits_part(self, None)? == 0 {
                    self.pos = save;
                    return self.fail("invalid float literal");
                }
                is_float = true;
            }
            if matches!(self.peek(), Some('j' | 'J')) {
                self.pos += 1;
                Value::Complex
            } else if is_float {
                Value::Float
            } else {
                if int_digits.len() > 1
                    && int_digits.bytes().any(|b| b != b'0')
                    && int_digits.starts_with('0')
                {
                    self.pos = start;
                    return self
                        .fail("leading zeros in decimal integer literals are not permitted");
                }
                let mut v: Option<i128> = Some(0);
                for b in int_digits.bytes() {
                    v = v
                        .and_then(|v| v.checked_mul(10))
                        .and_then(|v| v.checked_add(i128::from(b - b'0')));
                }
                Value::Int(v)
            }
        };
        // A Python 2 long suffix, possibly after spaces (tokenize splits it off).
        if matches!(result, Value::Int(_)) && self.options.long_suffix {
            let save = self.pos;
            while self.peek().is_some_and(is_space) {
                self.pos += 1;
            }
            if self.peek() == Some('L') && !self.peek_at(1).is_some_and(is_ident_char) {
                self.pos += 1;
                return Ok(result);
            }
            self.pos = save;
        }
        if self.peek().is_some_and(is_ident_char) {
            return self.fail("invalid number literal");
        }
        Ok(result)
    }
}

/// Python's `repr()` of a str: single quotes unless the text holds `'` and no `"`;
/// backslash escapes for the quote, backslash and characters Python does not print.
pub fn py_repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let v = c as u32;
                if v < 0x100 {
                    out.push_str(&format!("\\x{v:02x}"));
                } else if v < 0x10000 {
                    out.push_str(&format!("\\u{v:04x}"));
                } else {
                    out.push_str(&format!("\\U{v:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

/// An approximation of Python's `str.isprintable` for one character: false for control
/// and format characters, separators other than the ASCII space, private-use and
/// unassigned-by-design code points.
fn is_printable(c: char) -> bool {
    let v = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() {
        return false;
    }
    !matches!(v,
        0xA0 | 0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2
        | 0x1680 | 0x180E | 0x2000..=0x200F | 0x2028..=0x202F | 0x205F..=0x2064
        | 0x2066..=0x206F | 0x3000 | 0xD800..=0xF8FF | 0xFEFF | 0xFFF9..=0xFFFB
        | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0001 | 0xE0020..=0xE007F | 0xF0000..=0x10FFFF
    ) && (v & 0xFFFE != 0xFFFE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Value, ParseError> {
        parse(text, Options::default())
    }

    fn s(text: &str) -> Value {
        Value::Str(text.into())
    }

    #[test]
    fn accepts_what_literal_eval_accepts() {
        let ok = [
            (
                "{1:2}\n  \n",
                Value::Dict(vec![(Value::Int(Some(1)), Value::Int(Some(2)))]),
            ),
            (
                "{1:2}\n#c",
                Value::Dict(vec![(Value::Int(Some(1)), Value::Int(Some(2)))]),
            ),
            (
                "# c\n{1:2}",
                Value::Dict(vec![(Value::Int(Some(1)), Value::Int(Some(2)))]),
            ),
            (
                "\x0c{1:2}\r",
                Value::Dict(vec![(Value::Int(Some(1)), Value::Int(Some(2)))]),
            ),
            (
                "{1:\\\n2,}",
                Value::Dict(vec![(Value::Int(Some(1)), Value::Int(Some(2)))]),
            ),
            ("u'a' \"b\" r'\\n'", s("ab\\n")),
            ("'''x'y'''", s("x'y")),
            ("'\\x41\\u00e9\\101\\q'", s("A\u{e9}A\\q")),
            ("0x10", Value::Int(Some(16))),
            ("1_000", Value::Int(Some(1000))),
            ("00", Value::Int(Some(0))),
            ("- -+5", Value::Int(Some(5))),
            ("-5", Value::Int(Some(-5))),
            ("(2)", Value::Int(Some(2))),
            ("()", Value::Tuple(vec![])),
            ("(2,)", Value::Tuple(vec![Value::Int(Some(2))])),
            ("[1,]", Value::List(vec![Value::Int(Some(1))])),
            ("{2,}", Value::Set(vec![Value::Int(Some(2))])),
            ("1e5", Value::Float),
            ("1j", Value::Complex),
            ("None", Value::None),
            ("b'a'", Value::Bytes(b"a".to_vec())),
            (
                "99999999999999999999999999999999999999999",
                Value::Int(None),
            ),
        ];
        for (text, want) in ok {
            assert_eq!(
                p(text).unwrap_or_else(|e| panic!("{text:?}: {e}")),
                want,
                "{text:?}"
            );
        }
    }

    #[test]
    fn rejects_what_literal_eval_rejects() {
        for text in [
            "",
            "\n  {1:2}",
            "{1:2}\n  ",
            "{1:2}\\\n",
            "{1:01}",
            "{1:0_1}",
            "{1:(,)}",
            "{1:[,]}",
            "{1: 5L}",
            "'\\x4'",
            "{1:2}\x00",
            "{1:-True}",
            "{1:(1 if 2 else 3)}",
            "{**{}}",
            "{1:2};",
            "{1:2,,}",
            "{,}",
            "{1:2 3:4}",
            "'abc",
            "'a\nb'",
            "x",
            "{'a':1",
            "1__0",
            "0x",
            "1e",
            "'\\ud800'",
            "b'\u{e9}'",
            "'a' b'b'",
        ] {
            assert!(p(text).is_err(), "{text:?} parsed as {:?}", p(text));
        }
        let deep = "[".repeat(MAX_NESTING + 1) + &"]".repeat(MAX_NESTING + 1);
        assert!(p(&deep).is_err());
        let ok = "[".repeat(MAX_NESTING) + &"]".repeat(MAX_NESTING);
        assert!(p(&ok).is_ok());
    }

    #[test]
    fn long_suffix_only_when_asked() {
        let o = Options { long_suffix: true };
        assert_eq!(
            parse("(3L, 4 L)", o).unwrap(),
            Value::Tuple(vec![Value::Int(Some(3)), Value::Int(Some(4))])
        );
        assert!(p("(3L,)").is_err());
        assert!(parse("(3Lx,)", o).is_err());
    }

    #[test]
    fn repr_like_python() {
        assert_eq!(py_repr_str("a"), "'a'");
        assert_eq!(py_repr_str("a'\""), "'a\\'\"'");
        assert_eq!(py_repr_str("a'"), "\"a'\"");
        assert_eq!(
            py_repr_str("\u{e9}\u{4e2d}\0\u{a0}\\"),
            "'\u{e9}\u{4e2d}\\x00\\xa0\\\\'"
        );
    }
}
