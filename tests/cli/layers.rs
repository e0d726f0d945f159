//! The layers of the code stay visible: each top-level module imports only the
//! modules of lower layers (read from its `crate::` paths), so there is no
//! import cycle and nothing imports upward.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::root;

/// The layers from the top; a module may import only modules of a later line.
const LAYERS: &[&[&str]] = &[
    &["cli"],
    &["cmd"],
    &["run"],
    &["pipeline", "import"],
    &["load", "render", "naming", "output"],
    &["view", "export"],
    &["review", "spell"],
    &["forge"],
    &["model"],
    &["content"],
    &["diag"],
    &["unicode", "input", "sign"],
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Collects, per top-level module, the `crate::x` paths of its files (comments included:
/// a doc link upward is a dependency in the reader's head too), up to a file's unit
/// tests (`#[cfg(test)] mod tests`, at its end): a test may make its input with the
/// loader, which the product's code of a lower layer never calls.
fn imports(dir: &Path, top: Option<&str>, out: &mut BTreeMap<String, Vec<(String, String)>>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            imports(&path, Some(top.unwrap_or(&name)), out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let module = match top {
            Some(t) => t.to_string(),
            None if name == "lib" || name == "main" => continue,
            None => name,
        };
        let text = fs::read_to_string(&path).unwrap();
        let mut found = Vec::new();
        let product = text.lines().take_while(|l| *l != "#[cfg(test)]");
        for (i, line) in product.enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let mut names: Vec<&str> = Vec::new();
                if let Some(group) = rest.strip_prefix('{') {
                    let end = group.find('}').unwrap_or(group.len());
                    names.extend(
                        group[..end]
                            .split(',')
                            .map(|n| n.trim().split("::").next().unwrap_or("").trim()),
                    );
                } else {
                    let end = rest
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    names.push(&rest[..end]);
                }
                for n in names.into_iter().filter(|n| !n.is_empty()) {
                    found.push((n.to_string(), format!("{}:{}", path.display(), i + 1)));
                }
            }
        }
        out.entry(module).or_default().extend(found);
    }
}

#[test]
fn no_module_imports_a_module_of_a_higher_layer() {
    let mut all = BTreeMap::new();
    imports(&root().join("src"), None, &mut all);
    let mut upward = Vec::new();
    for (module, deps) in &all {
        let own = rank(module).unwrap_or_else(|| panic!("module {module} has no layer in LAYERS"));
        for (dep, at) in deps {
            if dep == module {
                continue;
            }
            let theirs = rank(dep).unwrap_or_else(|| panic!("{at}: crate::{dep} has no layer"));
            if theirs <= own {
                upward.push(format!("{at}: {module} imports {dep}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports across or up the layers:\n{}",
        upward.join("\n")
    );
    // Every module of the crate is placed in a layer.
    assert_eq!(
        all.len(),
        LAYERS.iter().map(|l| l.len()).sum::<usize>(),
        "modules: {:?}",
        all.keys().collect::<Vec<_>>()
    );
}

/// The features cargo enables for each package, as `cargo tree` prints them.
fn features(edges: &str) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "--prefix",
            "none",
            "-f",
            "{p}|{f}",
            "-e",
            edges,
        ])
        .current_dir(root())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut map: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let line = line.trim_end_matches(" (*)");
        let Some((package, feats)) = line.split_once('|') else {
            continue;
        };
        map.entry(package.to_string()).or_default().extend(
            feats
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_string),
        );
    }
    map
}

#[test]
fn cargo_build_and_cargo_test_share_one_build_of_typst() {
    // A crate that `cargo build` and `cargo test` both compile, with other
    // features in each, is compiled twice, and typst with everything above
    // it: the README's second command would build typst again.
    let run = features("normal,build");
    let test = features("normal,build,dev");
    let differing: Vec<String> = run
        .iter()
        .filter_map(|(package, feats)| {
            let other = test.get(package)?;
            (other != feats).then(|| format!("{package}: build {feats:?}, test {other:?}"))
        })
        .collect();
    assert!(
        run.keys().any(|p| p.starts_with("typst-library ")),
        "{:?}",
        run.keys().take(5).collect::<Vec<_>>()
    );
    assert!(
        differing.is_empty(),
        "ask for these features in [dependencies] too:\n{}",
        differing.join("\n")
    );
}
