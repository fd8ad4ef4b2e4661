//! String and bytes literals (prefixes, quotes, escapes, implicit concatenation), and
//! Python's `repr()` of a str for messages and headers.

use super::{PResult, Parser, Value};

impl Parser {
    /// One or more adjacent string literals (the first one's prefix already consumed).
    pub(super) fn strings(&mut self, nested: bool, raw: bool, bytes: bool) -> PResult<Value> {
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
