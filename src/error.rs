//! The core's error type. It carries a kind (which the C layer turns into a status
//! code), a message that names the values involved, and the OS errno when one caused it.

use std::fmt;
use std::io;

/// What went wrong, independent of how the caller reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A bad argument: mode, dtype, order, shape, strides, a missing value, or an
    /// arithmetic overflow of sizes and offsets.
    InvalidArg,
    /// The file does not exist.
    NotFound,
    /// EACCES / EPERM / EROFS.
    Permission,
    /// Any other OS error.
    Io,
    /// The file is shorter than the requested array (modes r and c), or the
    /// offset lies past its end.
    FileTooSmall,
    /// The inferred shape does not divide the available bytes.
    SizeMismatch,
    /// A write was asked of a read-only view.
    ReadOnly,
    /// A malformed file header.
    Format,
    /// Something this library cannot map or this platform cannot do.
    Unsupported,
    /// A view or byte range reaching outside the mapped array.
    OutOfBounds,
}

/// An error of the core: kind, message and the errno behind it (0 when none).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct MmError {
    pub kind: ErrorKind,
    pub message: String,
    pub os_error: i32,
}

impl MmError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> MmError {
        MmError {
            kind,
            message: message.into(),
            os_error: 0,
        }
    }

    pub fn invalid(message: impl Into<String>) -> MmError {
        MmError::new(ErrorKind::InvalidArg, message)
    }

    /// An error caused by the OS: the kind follows errno (ENOENT, EACCES/EPERM/EROFS,
    /// anything else), and the message ends with the OS's own words.
    pub fn os(what: impl fmt::Display, err: &io::Error) -> MmError {
        // On Windows the Win32 error is translated to the errno it stands for (the
        // message keeps the Win32 code and text).
        let errno = crate::platform::errno_of(err);
        let kind = match errno {
            libc::ENOENT => ErrorKind::NotFound,
            libc::EACCES | libc::EPERM | libc::EROFS => ErrorKind::Permission,
            _ => ErrorKind::Io,
        };
        MmError {
            kind,
            message: format!("{what}: {}", describe_os_error(err)),
            os_error: errno,
        }
    }

    /// An allocation that was refused (`try_reserve`): MM_E_IO with errno ENOMEM, for
    /// allocations whose size depends on the input or that are large (a failed one
    /// would otherwise abort the whole process).
    pub fn no_memory(what: impl fmt::Display, bytes: usize) -> MmError {
        MmError {
            kind: ErrorKind::Io,
            message: format!("out of memory: cannot allocate {bytes} bytes for {what}"),
            os_error: libc::ENOMEM,
        }
    }

    /// The same error with `context` put in front of its message.
    pub fn context(mut self, context: impl fmt::Display) -> MmError {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

/// The OS's text for an error, e.g. "No such file or directory (os error 2)".
fn describe_os_error(err: &io::Error) -> String {
    err.to_string()
}

pub type Result<T> = std::result::Result<T, MmError>;

/// `text` in double quotes for a message, as Rust's `{:?}` writes a string (quotes,
/// control characters and characters that do not print are escaped) except that a
/// backslash stays one backslash: a Windows path (`C:\data\a.bin`) appears in the
/// message exactly as the caller wrote it, and a message about a path without a
/// backslash is the same on every platform.
pub fn quoted(text: &str) -> String {
    let debug = format!("{text:?}");
    let mut out = String::with_capacity(debug.len());
    let mut chars = debug.chars();
    // Every escape `{:?}` writes starts with a backslash and is read as one token, so a
    // doubled backslash is always an escaped backslash of `text`.
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\\' {
            match chars.next() {
                Some('\\') | None => {}
                Some(next) => out.push(next),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn quoted_keeps_backslashes_and_escapes_the_rest() {
        assert_eq!(quoted(r"C:\users\a b\x.npy"), r#""C:\users\a b\x.npy""#);
        assert_eq!(quoted(r"\\server\share\"), r#""\\server\share\""#);
        assert_eq!(quoted("/data/a.bin"), format!("{:?}", "/data/a.bin"));
        assert_eq!(quoted("a\"b\nc\td\0e"), r#""a\"b\nc\td\0e""#);
        assert_eq!(
            quoted("x\u{7f}\u{200b}\u{fffd}é"),
            format!("{:?}", "x\u{7f}\u{200b}\u{fffd}é")
        );
        // a backslash, then a quote: the backslash as it is, the quote escaped
        assert_eq!(quoted("a\\\"b"), r#""a\\"b""#);
        assert_eq!(quoted(""), "\"\"");
    }
}
