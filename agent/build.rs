//! Rebuilds todo-ops when a file it embeds (charts, playbooks, eval tasks) is added,
//! removed or changed: the embedding macro alone does not see added or removed files.

fn main() {
    for dir in ["../charts", "../playbooks", "../tests/evals"] {
        println!("cargo::rerun-if-changed={dir}");
    }
}
