//! Number literals: integers in every base Python writes them, with underscores and the
//! optional Python 2 `L` suffix; floats and imaginary numbers recognised, not evaluated.

use super::{is_ident_char, is_space, PResult, Parser, Value};

impl Parser {
    /// An integer, float or imaginary number.
    pub(super) fn number(&mut self) -> PResult<Value> {
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
