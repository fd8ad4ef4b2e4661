//! datetime64 / timedelta64 metadata: the unit and multiplier in `"M8[10s]"`.

use super::{invalid_because, parse_c_long, Failure};

/// The unit of a datetime64 / timedelta64: a base unit and a multiplier (`[10s]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TimeMeta {
    pub(super) unit: TimeUnit,
    /// Always 1 for the generic unit.
    pub(super) multiplier: u32,
}

impl TimeMeta {
    /// No unit: `"M8"`, `"M8[generic]"`.
    pub(super) const GENERIC: TimeMeta = TimeMeta {
        unit: TimeUnit::Generic,
        multiplier: 1,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TimeUnit {
    Generic,
    Years,
    Months,
    Weeks,
    Days,
    Hours,
    Minutes,
    Seconds,
    Millis,
    Micros,
    Nanos,
    Picos,
    Femtos,
    Attos,
}

impl TimeUnit {
    fn from_text(text: &str) -> Option<TimeUnit> {
        Some(match text {
            "generic" => TimeUnit::Generic,
            "Y" => TimeUnit::Years,
            "M" => TimeUnit::Months,
            "W" => TimeUnit::Weeks,
            "D" => TimeUnit::Days,
            "h" => TimeUnit::Hours,
            "m" => TimeUnit::Minutes,
            "s" => TimeUnit::Seconds,
            "ms" => TimeUnit::Millis,
            // numpy also takes the Greek mu for micro.
            "us" | "\u{3bc}s" => TimeUnit::Micros,
            "ns" => TimeUnit::Nanos,
            "ps" => TimeUnit::Picos,
            "fs" => TimeUnit::Femtos,
            "as" => TimeUnit::Attos,
            _ => return None,
        })
    }

    pub(super) fn symbol(self) -> &'static str {
        match self {
            TimeUnit::Generic => "generic",
            TimeUnit::Years => "Y",
            TimeUnit::Months => "M",
            TimeUnit::Weeks => "W",
            TimeUnit::Days => "D",
            TimeUnit::Hours => "h",
            TimeUnit::Minutes => "m",
            TimeUnit::Seconds => "s",
            TimeUnit::Millis => "ms",
            TimeUnit::Micros => "us",
            TimeUnit::Nanos => "ns",
            TimeUnit::Picos => "ps",
            TimeUnit::Femtos => "fs",
            TimeUnit::Attos => "as",
        }
    }
}

/// What follows "M8" in numpy's typestr: nothing for the generic unit, else "[unit]" or
/// "[Nunit]".
pub(super) fn time_suffix(meta: TimeMeta) -> String {
    match (meta.unit, meta.multiplier) {
        (TimeUnit::Generic, _) => String::new(),
        (unit, 1) => format!("[{}]", unit.symbol()),
        (unit, n) => format!("[{n}{}]", unit.symbol()),
    }
}

/// The part of a datetime type string after "M8" / "datetime64": empty (generic unit)
/// or "[unit]" / "[Nunit]".
pub(super) fn parse_time_meta(text: &str) -> std::result::Result<TimeMeta, Failure> {
    if text.is_empty() {
        return Ok(TimeMeta::GENERIC);
    }
    let bad = || {
        invalid_because(format!(
            "invalid datetime metadata \"{}\"",
            text.escape_debug()
        ))
    };
    let inner = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or_else(bad)?;
    if inner.contains(']') {
        return Err(bad());
    }
    let (multiplier, unit_text) = match parse_c_long(inner) {
        None => (1u32, inner),
        Some((Some(n), unit_text)) if n <= i32::MAX as u64 => (n as u32, unit_text),
        Some(_) => {
            return Err(invalid_because(format!(
                "datetime multiplier in \"{}\" is negative or larger than {}",
                text.escape_debug(),
                i32::MAX
            )))
        }
    };
    if unit_text.contains('/') {
        return Err(invalid_because(
            "datetime units with a divisor (\"[s/10]\") are not supported",
        ));
    }
    let unit = TimeUnit::from_text(unit_text).ok_or_else(|| {
        invalid_because(format!(
            "invalid datetime unit \"{}\"",
            unit_text.escape_debug()
        ))
    })?;
    let multiplier = if unit == TimeUnit::Generic {
        1
    } else {
        multiplier
    };
    Ok(TimeMeta { unit, multiplier })
}
