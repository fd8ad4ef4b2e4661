//! The layering rules of docs/architecture.md, checked on the sources:
//!
//! - no import cycle between the modules of the core (a module's own files, `foo.rs`
//!   and `foo/*.rs`, count as one) nor between the files of the C layer (`src/ffi/*.rs`);
//! - the core never names the C layer;
//! - the registry imports nothing of the crate;
//! - the command-line tool (`src/bin/`, a separate crate that uses the library as any
//!   outside program would) names nothing of the C layer.
//!
//! An import is any `crate::`, `super::` or `self::` path outside the unit-test modules.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        // src/bin holds binaries: crates of their own, outside users of the library
        // (their `crate::` paths are their own modules); checked by
        // `the_command_line_tool_uses_the_core_only`.
        if path.ends_with("src/bin") {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` -> ["a", "b"]; `src/lib.rs` -> [].
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The graph node a module belongs to: its top-level module, or for the C layer its
/// file (`ffi/open`).
fn node_of(module: &[String]) -> Option<String> {
    match module {
        [] => None,
        [top, file, ..] if top == "ffi" => Some(format!("ffi/{file}")),
        [top, ..] => Some(top.clone()),
    }
}

/// Every `crate::`, `super::` or `self::` path in `text`, resolved to a module path.
fn imports(module: &[String], text: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let path: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            let mut base: Vec<String> = match segments[0] {
                "crate" => Vec::new(),
                "self" => module.to_vec(),
                _ => module[..module.len().saturating_sub(1)].to_vec(),
            };
            segments.remove(0);
            while segments.first() == Some(&"super") {
                base.pop();
                segments.remove(0);
            }
            base.extend(segments.iter().map(|s| s.to_string()));
            found.push(base);
        }
    }
    found
}

/// The text of a file without its `#[cfg(test)] mod tests { ... }` (the last item).
fn without_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => text,
    }
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: Vec<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, module) in files.iter().zip(&modules) {
        if module.last().is_some_and(|m| m == "tests") {
            continue;
        }
        let Some(from) = node_of(module) else {
            continue;
        };
        edges.entry(from.clone()).or_default();
        let text = fs::read_to_string(file).unwrap();
        for target in imports(module, without_tests(&text)) {
            // The longest prefix of the path that is a module of the crate.
            let known = (1..=target.len())
                .rev()
                .map(|n| &target[..n])
                .find(|prefix| modules.iter().any(|m| m.as_slice() == *prefix));
            if let Some(to) = known.and_then(node_of) {
                if to != from {
                    edges.get_mut(&from).unwrap().insert(to);
                }
            }
        }
    }
    edges
}

fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let i = stack.iter().position(|s| s == m).unwrap();
                    let mut cycle = stack[i..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(n, edges, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_import_cycles() {
    let edges = graph();
    assert!(
        edges.len() >= 20,
        "only {} modules found: {edges:?}",
        edges.len()
    );
    assert!(
        edges["ffi/open"].contains("ffi/args") && edges["view"].contains("mapping"),
        "the scan misses imports: {edges:?}"
    );
    if let Some(cycle) = find_cycle(&edges) {
        panic!("import cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_core_knows_nothing_of_the_c_layer_and_the_registry_nothing_of_the_crate() {
    let edges = graph();
    for (from, to) in &edges {
        if !from.starts_with("ffi") {
            let c: Vec<_> = to.iter().filter(|t| t.starts_with("ffi")).collect();
            assert!(
                c.is_empty(),
                "core module {from} imports the C layer: {c:?}"
            );
        }
    }
    assert!(edges["registry"].is_empty(), "{:?}", edges["registry"]);
    // The platform layer is a leaf: it speaks std::io and knows nothing of the crate.
    assert!(edges["platform"].is_empty(), "{:?}", edges["platform"]);
}

#[test]
fn the_command_line_tool_uses_the_core_only() {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin");
    let mut files = Vec::new();
    if bin.is_dir() {
        rust_files_all(&bin, &mut files);
    }
    assert!(
        files.iter().any(|f| f.ends_with("mmarray/main.rs")),
        "src/bin/mmarray/main.rs not found: {files:?}"
    );
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        // (An `extern "C" fn` signal handler is the C ABI, not the C layer: only a block
        // of foreign declarations would name the library's C functions.)
        for needle in ["mmarray::ffi", "ffi::", "extern \"C\" {", "mm_open("] {
            assert!(
                !text.contains(needle),
                "{} names the C layer ({needle})",
                file.display()
            );
        }
    }
}

fn rust_files_all(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files_all(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.insert("a".into(), ["b".to_string()].into());
    edges.insert("b".into(), ["c".to_string()].into());
    edges.insert("c".into(), ["a".to_string()].into());
    assert_eq!(
        find_cycle(&edges).unwrap(),
        ["a", "b", "c", "a"].map(String::from)
    );
    edges.get_mut("c").unwrap().clear();
    assert_eq!(find_cycle(&edges), None);
}
