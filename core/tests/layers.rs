//! The stages of `core/src` import one way: each module uses only those on a lower floor:
//! base tools, data, task, recipe, model, metrics, bundle, train, predict, project.
//! (ARCHITECTURE.md lists train before bundle; training writes the bundle, so in code the
//! bundle is the floor below.) A `crate::` path in code that points up fails here, naming
//! the file. Comments and doc links are not imports and are skipped.

use std::collections::BTreeSet;
use std::path::Path;

/// Each top-level module of `core/src` and its floor; a module may use its own floor
/// only when it is itself (base tools use each other freely: floor 0 and 1).
const FLOORS: [(&str, u32); 17] = [
    ("base", 0),
    ("limits", 0),
    ("error", 1),
    ("framed", 1),
    ("flex_values", 1),
    ("device", 1),
    ("data", 2),
    ("task", 3),
    ("recipe", 4),
    ("model", 5),
    ("metrics", 6),
    ("bundle", 7),
    ("train", 8),
    ("predict", 9),
    ("project", 10),
    ("invariants", 11),
    ("lib", 11),
];

fn floor(module: &str) -> u32 {
    FLOORS.iter().find(|(m, _)| *m == module).unwrap_or_else(|| panic!("module `{module}` has no floor: add it")).1
}

/// `(file, module it is in, module it uses)` for every `crate::module` in code.
fn imports(src: &Path) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut todo = vec![src.to_path_buf()];
    while let Some(path) = todo.pop() {
        if path.is_dir() {
            todo.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let file = path.strip_prefix(src).unwrap().to_string_lossy().replace('\\', "/");
        let module = file.split('/').next().unwrap().trim_end_matches(".rs").to_string();
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let code = line.split("//").next().unwrap();
            for (at, _) in code.match_indices("crate::") {
                let used: String = code[at + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if !used.is_empty() && used != module {
                    out.push((file.clone(), module.clone(), used));
                }
            }
        }
    }
    out
}

#[test]
fn no_import_in_core_runs_back_up() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let imports = imports(&src);
    let graph: BTreeSet<(u32, &str, &str)> =
        imports.iter().map(|(_, from, to)| (floor(from), from.as_str(), to.as_str())).collect();
    for (_, from, to) in &graph {
        println!("{from} -> {to}");
    }
    let upward: Vec<String> = imports
        .iter()
        .filter(|(_, from, to)| floor(to) > floor(from) || (floor(to) == floor(from) && floor(from) > 1))
        .map(|(file, from, to)| format!("{file}: {from} (floor {}) uses {to} (floor {})", floor(from), floor(to)))
        .collect();
    assert!(upward.is_empty(), "imports that run back up:\n{}", upward.join("\n"));
}
