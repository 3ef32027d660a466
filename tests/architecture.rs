//! The code's shape is its pipeline: the top-level modules of `src/` are
//! layers, and a file may only use the layers its own may depend on (the
//! table below). Inside one layer, modules may use each other but never in
//! a cycle. This test reads every file of `src/` and fails on any
//! `crate::…` or `super::…` path, in a `use` line or in code (comments are
//! ignored), that breaks either rule.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each layer and the layers it may use, bottom first.
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("plan", &["domain"]),
    ("input", &["domain", "plan"]),
    ("engine", &["domain", "plan", "input"]),
    // The one replay entry drives the engine over the inputs.
    ("replay", &["domain", "plan", "input", "engine"]),
    // Documents are built from the engine's output; they never replay.
    ("model", &["domain", "plan", "input", "engine"]),
    ("render", &["domain", "plan", "engine", "model"]),
    (
        "app",
        &[
            "domain", "plan", "input", "engine", "replay", "model", "render",
        ],
    ),
];

/// Inside each layer: (layer, module) → the modules it uses, each with the
/// first file and line that does.
type Uses = BTreeMap<(String, String), BTreeMap<String, (String, usize)>>;

/// One source file: its module path (`["input", "log", "pieces"]`) and text.
struct SourceFile {
    name: String,
    module: Vec<String>,
    text: String,
}

fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

fn read_sources(dir: &Path, root: &Path, out: &mut Vec<SourceFile>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            read_sources(&path, root, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let relative = path.strip_prefix(root).expect("under src/");
            out.push(SourceFile {
                name: format!("src/{}", relative.display()),
                module: module_of(relative),
                text: std::fs::read_to_string(&path).expect("a source file is UTF-8"),
            });
        }
    }
}

/// `text` with comments, string and character literals blanked out (kept
/// the same length, so line numbers hold).
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |out: &mut String, byte: u8| out.push(if byte == b'\n' { '\n' } else { ' ' });
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                blank(&mut out, bytes[i]);
                i += 1;
            }
        } else if rest.starts_with(b"/*") {
            let mut depth = 0;
            while i < bytes.len() {
                if bytes[i..].starts_with(b"/*") {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if bytes[i..].starts_with(b"*/") {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, bytes[i]);
                    i += 1;
                }
            }
        } else if rest.starts_with(b"r#\"") || rest.starts_with(b"r\"") {
            let hashes = rest[1..].iter().take_while(|b| **b == b'#').count();
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let open = 2 + hashes;
            out.push_str(&" ".repeat(open));
            i += open;
            while i < bytes.len() && !bytes[i..].starts_with(&close) {
                blank(&mut out, bytes[i]);
                i += 1;
            }
            let end = close.len().min(bytes.len() - i);
            out.push_str(&" ".repeat(end));
            i += end;
        } else if bytes[i] == b'"' {
            out.push(' ');
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\\' && i + 1 < bytes.len() {
                    blank(&mut out, bytes[i]);
                    i += 1;
                }
                blank(&mut out, bytes[i]);
                i += 1;
            }
            if i < bytes.len() {
                out.push(' ');
                i += 1;
            }
        } else if bytes[i] == b'\'' && is_char_literal(rest) {
            let length = rest[1..].iter().position(|b| *b == b'\'').unwrap_or(0) + 2;
            out.push_str(&" ".repeat(length));
            i += length;
        } else {
            // Multi-byte characters pass through whole.
            let width = text[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[i..i + width]);
            i += width;
        }
    }
    out
}

/// A `'` that opens a character literal (`'a'`, `'\n'`, `'"'`), not a
/// lifetime (`'a`, `'static`).
fn is_char_literal(rest: &[u8]) -> bool {
    match rest.get(1) {
        Some(b'\\') => true,
        Some(_) => {
            let width = std::str::from_utf8(&rest[1..rest.len().min(5)])
                .ok()
                .or_else(|| std::str::from_utf8(&rest[1..rest.len().min(2)]).ok())
                .and_then(|s| s.chars().next())
                .map_or(1, char::len_utf8);
            rest.get(1 + width) == Some(&b'\'')
        }
        None => false,
    }
}

/// Every module path a file's code names, resolved from the crate root,
/// with its line: `crate::a::b…` and `super::…` (relative to the file).
fn paths_named(file: &SourceFile) -> Vec<(usize, Vec<String>)> {
    let code = code_only(&file.text);
    let mut found = Vec::new();
    for (number, line) in code.lines().enumerate() {
        let bytes = line.as_bytes();
        let mut start = 0;
        while start < line.len() {
            let next = ["crate::", "super::"]
                .iter()
                .filter_map(|word| line[start..].find(word).map(|at| start + at))
                .min();
            let Some(at) = next else { break };
            let before = at.checked_sub(1).map(|i| bytes[i]);
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
                start = at + 1;
                continue;
            }
            let mut segments: Vec<&str> = Vec::new();
            let mut rest = &line[at..];
            loop {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                segments.push(&rest[..end]);
                rest = &rest[end..];
                match rest.strip_prefix("::") {
                    // `crate::a::{b, c}`: the layer and module are before the brace.
                    Some(after) if after.starts_with('{') => break,
                    Some(after) => rest = after,
                    None => break,
                }
            }
            start = line.len() - rest.len();
            found.push((number + 1, resolve(&file.module, &segments)));
        }
    }
    found
}

/// A path's segments from the crate root (`super` climbs from the file's
/// own module).
fn resolve(module: &[String], segments: &[&str]) -> Vec<String> {
    let mut resolved: Vec<String> = Vec::new();
    let mut rest = segments;
    if rest.first() == Some(&"crate") {
        rest = &rest[1..];
    } else {
        resolved = module.to_vec();
        while rest.first() == Some(&"super") {
            resolved.pop();
            rest = &rest[1..];
        }
    }
    resolved.extend(rest.iter().map(|s| s.to_string()));
    resolved
}

/// Every broken rule in `files`, one line each.
fn violations(files: &[SourceFile]) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut broken = Vec::new();
    // Inside each layer: module (second path segment) → modules it uses.
    let mut uses: Uses = BTreeMap::new();
    for file in files {
        let Some(layer) = file.module.first() else {
            continue; // lib.rs declares the layers.
        };
        if layer == "main" {
            continue; // the binary is above every layer
        }
        let Some(may_use) = allowed.get(layer.as_str()) else {
            broken.push(format!(
                "{}: `{layer}` is not a layer of tests/architecture.rs",
                file.name
            ));
            continue;
        };
        for (line, path) in paths_named(file) {
            let Some(target) = path.first().filter(|first| !first.is_empty()) else {
                broken.push(format!(
                    "{}:{line}: a grouped `crate::{{…}}` path: name the layer in each `use`",
                    file.name
                ));
                continue;
            };
            if target == layer {
                if let (Some(from), Some(to)) = (file.module.get(1), path.get(1))
                    && from != to
                {
                    uses.entry((layer.clone(), from.clone()))
                        .or_default()
                        .entry(to.clone())
                        .or_insert((file.name.clone(), line));
                }
                continue;
            }
            if !may_use.contains(&target.as_str()) {
                broken.push(format!(
                    "{}:{line}: `{layer}` uses `{}`, but may only use {:?}",
                    file.name,
                    path.join("::"),
                    may_use
                ));
            }
        }
    }
    // A cycle among one layer's modules: a depth-first search from each.
    let mut reported = BTreeSet::new();
    for ((layer, from), targets) in &uses {
        for to in targets.keys() {
            if let Some(back) = reaches(&uses, layer, to, from, &mut BTreeSet::new()) {
                let mut cycle = vec![from.clone(), to.clone()];
                cycle.extend(back);
                let key: BTreeSet<String> = cycle.iter().cloned().collect();
                if reported.insert((layer.clone(), key)) {
                    let (file, line) = &targets[to];
                    broken.push(format!(
                        "{file}:{line}: an import cycle in `{layer}`: {}",
                        cycle.join(" → ")
                    ));
                }
            }
        }
    }
    broken
}

/// The modules after `from` on a path to `goal` inside `layer`, if any.
fn reaches(
    uses: &Uses,
    layer: &str,
    from: &str,
    goal: &str,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if from == goal {
        return Some(Vec::new());
    }
    if !seen.insert(from.to_string()) {
        return None;
    }
    let targets = uses.get(&(layer.to_string(), from.to_string()))?;
    for next in targets.keys() {
        if let Some(mut rest) = reaches(uses, layer, next, goal, seen) {
            rest.insert(0, next.clone());
            return Some(rest);
        }
    }
    None
}

fn source(name: &str, text: &str) -> SourceFile {
    let relative = name.strip_prefix("src/").expect("a src/ path");
    SourceFile {
        name: name.to_string(),
        module: module_of(Path::new(relative)),
        text: text.to_string(),
    }
}

#[test]
fn every_layer_only_uses_the_layers_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    read_sources(&root, &root, &mut files);
    assert!(files.len() > 40, "src/ was read ({} files)", files.len());
    let broken = violations(&files);
    assert!(
        broken.is_empty(),
        "the layers of src/ are broken:\n{}",
        broken.join("\n")
    );
}

#[test]
fn every_top_level_module_is_a_layer() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("src/lib.rs");
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|line| line.strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';'))
        .collect();
    let layers: BTreeSet<&str> = LAYERS.iter().map(|(name, _)| *name).collect();
    assert_eq!(declared.iter().copied().collect::<BTreeSet<_>>(), layers);
}

#[test]
fn a_back_import_is_found() {
    let files = [source(
        "src/engine/meter.rs",
        "use crate::model::report::Units;\nfn f() {}\n",
    )];
    let broken = violations(&files);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(broken[0].starts_with("src/engine/meter.rs:1: `engine` uses `model::report::Units`"));
}

#[test]
fn a_back_import_in_code_is_found_and_comments_are_not() {
    let files = [source(
        "src/domain/numbers.rs",
        "// crate::app::cli is fine in a comment\n/// [`crate::model::report`] too\nconst S: &str = \"crate::render\";\nfn f() { let _ = crate::replay::run; }\n",
    )];
    let broken = violations(&files);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(broken[0].starts_with("src/domain/numbers.rs:4: `domain` uses `replay::run`"));
}

#[test]
fn super_paths_are_resolved_from_the_file() {
    let files = [source(
        "src/model/report.rs",
        "fn f() { super::super::app::job::run(); }\n",
    )];
    let broken = violations(&files);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(broken[0].contains("`model` uses `app::job::run`"));
}

#[test]
fn the_model_may_not_replay() {
    let files = [source(
        "src/model/stats.rs",
        "use crate::replay::each_outcome;\n",
    )];
    assert_eq!(violations(&files).len(), 1);
}

#[test]
fn a_cycle_inside_a_layer_is_found() {
    let files = [
        source(
            "src/engine/charges.rs",
            "use crate::engine::meter::Usage;\n",
        ),
        source("src/engine/meter.rs", "use crate::engine::projection::P;\n"),
        source(
            "src/engine/projection.rs",
            "use crate::engine::charges::C;\n",
        ),
    ];
    let broken = violations(&files);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(
        broken[0].contains("an import cycle in `engine`"),
        "{broken:?}"
    );
}

#[test]
fn grouped_crate_paths_are_refused() {
    let files = [source(
        "src/engine/meter.rs",
        "use crate::{model, render};\n",
    )];
    assert_eq!(violations(&files).len(), 1);
}
