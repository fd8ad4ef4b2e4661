//! numpy-style basic indexing text: "10:20, ::-1, 3", negative indices, "...".

use mmarray::View;

use crate::{Failure, Outcome};

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Index(i64),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    Ellipsis,
}

fn usage(text: &str, why: impl std::fmt::Display) -> Failure {
    Failure::usage(format!("mmarray: slice {text:?}: {why}"))
}

fn parse_int(text: &str, part: &str) -> Outcome<Option<i64>> {
    let p = part.trim();
    if p.is_empty() {
        return Ok(None);
    }
    p.parse::<i64>()
        .map(Some)
        .map_err(|_| usage(text, format!("{p:?} is not an integer")))
}

fn parse(text: &str) -> Outcome<Vec<Item>> {
    let t = text.trim();
    let t = t
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(t);
    if t.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut items = Vec::new();
    let parts: Vec<&str> = t.split(',').collect();
    for (k, part) in parts.iter().enumerate() {
        let p = part.trim();
        if p.is_empty() {
            // A trailing comma ("3,") is allowed, as in Python.
            if k == parts.len() - 1 && k > 0 {
                continue;
            }
            return Err(usage(text, "empty index between commas"));
        }
        if p == "..." || p == "Ellipsis" {
            items.push(Item::Ellipsis);
        } else if p.contains(':') {
            let bits: Vec<&str> = p.split(':').collect();
            if bits.len() > 3 {
                return Err(usage(text, format!("{p:?} has more than two colons")));
            }
            let start = parse_int(text, bits[0])?;
            let stop = parse_int(text, bits[1])?;
            let step = match bits.get(2) {
                Some(s) => parse_int(text, s)?,
                None => None,
            };
            if step == Some(0) {
                return Err(usage(text, "slice step cannot be zero"));
            }
            items.push(Item::Slice(start, stop, step));
        } else {
            match parse_int(text, p)? {
                Some(i) => items.push(Item::Index(i)),
                None => return Err(usage(text, "empty index")),
            }
        }
    }
    if items.iter().filter(|i| **i == Item::Ellipsis).count() > 1 {
        return Err(usage(
            text,
            "an index can only have a single ellipsis ('...')",
        ));
    }
    Ok(items)
}

/// `view[text]` as numpy's basic indexing gives it (a view, never a copy).
pub fn apply(view: &View, text: Option<&str>) -> Outcome<View> {
    let Some(text) = text else {
        return Ok(view.clone());
    };
    let items = parse(text)?;
    let ndim = view.shape().len();
    let explicit = items.iter().filter(|i| **i != Item::Ellipsis).count();
    if explicit > ndim {
        return Err(usage(
            text,
            format!(
                "too many indices for array: array is {ndim}-dimensional, but {explicit} were indexed"
            ),
        ));
    }
    // One item per axis: the ellipsis (or the end) stands for full slices.
    let mut per_axis = Vec::with_capacity(ndim);
    for item in &items {
        if *item == Item::Ellipsis {
            per_axis.extend(std::iter::repeat(Item::Slice(None, None, None)).take(ndim - explicit));
        } else {
            per_axis.push(item.clone());
        }
    }
    while per_axis.len() < ndim {
        per_axis.push(Item::Slice(None, None, None));
    }
    let mut v = view.clone();
    let mut dropped = Vec::new();
    for (axis, item) in per_axis.iter().enumerate() {
        let len = v.shape()[axis];
        match *item {
            Item::Index(i) => {
                let j = if i < 0 { i + len as i64 } else { i };
                if j < 0 || j >= len as i64 {
                    return Err(usage(
                        text,
                        format!("index {i} is out of bounds for axis {axis} with size {len}"),
                    ));
                }
                v = v
                    .slice(axis, j, j + 1, 1)
                    .map_err(|e| usage(text, e.message))?;
                dropped.push(axis);
            }
            Item::Slice(start, stop, step) => {
                let step = step.unwrap_or(1);
                let (dstart, dstop) = if step > 0 {
                    (0, i64::MAX)
                } else {
                    (i64::MAX, i64::MIN)
                };
                v = v
                    .slice(axis, start.unwrap_or(dstart), stop.unwrap_or(dstop), step)
                    .map_err(|e| usage(text, e.message))?;
            }
            Item::Ellipsis => unreachable!("expanded above"),
        }
    }
    if dropped.is_empty() {
        return Ok(v);
    }
    let shape: Vec<usize> = (0..ndim)
        .filter(|a| !dropped.contains(a))
        .map(|a| v.shape()[a])
        .collect();
    let strides: Vec<i64> = (0..ndim)
        .filter(|a| !dropped.contains(a))
        .map(|a| v.strides()[a])
        .collect();
    v.view(None, 0, &shape, Some(&strides))
        .map_err(|e| usage(text, e.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(
            parse("10:20, ::-1, 3").ok().unwrap(),
            vec![
                Item::Slice(Some(10), Some(20), None),
                Item::Slice(None, None, Some(-1)),
                Item::Index(3)
            ]
        );
        assert_eq!(
            parse("..., -1").ok().unwrap(),
            vec![Item::Ellipsis, Item::Index(-1)]
        );
        assert!(parse("1:2:3:4").is_err());
        assert!(parse("::0").is_err());
        assert!(parse("...,...").is_err());
        assert!(parse("a").is_err());
    }
}
