//! The layers of ARCHITECTURE.md hold: each folder of `agent/src` imports only the layers
//! below it, and the provider SDK appears only in the model adapter.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

/// (layer, the crate-internal modules it may use).
const LAYERS: &[(&str, &[&str])] = &[
    ("protocol.rs", &[]),
    ("ops", &["ops"]),
    ("core", &["protocol", "ops", "core"]),
    ("brains", &["protocol", "ops", "core", "brains"]),
    ("eval", &["protocol", "ops", "core", "brains", "eval"]),
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        out.push(path.to_path_buf());
        return;
    }
    for e in std::fs::read_dir(path).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level modules `crate::X` a source file names.
fn uses(text: &str) -> Vec<String> {
    text.match_indices("crate::")
        .map(|(i, m)| {
            text[i + m.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn every_layer_imports_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (layer, allowed) in LAYERS {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "layer {layer} has no files");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for m in uses(&text) {
                if !allowed.contains(&m.as_str()) {
                    wrong.push(format!("{} uses crate::{m}", f.display()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn only_the_model_adapter_knows_the_provider_sdk() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let users: Vec<String> = files
        .iter()
        .filter(|f| std::fs::read_to_string(f).unwrap().contains("async_openai"))
        .map(|f| f.strip_prefix(&src).unwrap().display().to_string())
        .collect();
    assert!(
        users.iter().all(|f| f.starts_with("brains/openai/")),
        "async-openai outside the model adapter: {users:?}"
    );
}

#[test]
fn the_layer_check_sees_an_upward_import() {
    // The checker itself can fail: a core module naming a command is caught.
    let text =
        "use crate::core::session::Session;\nfn f() { crate::commands::terminal::print_event(e) }";
    assert_eq!(uses(text), ["core", "commands"]);
}
