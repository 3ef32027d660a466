//! Keep the repository's promises true: committed completions match the
//! binary, README's two commands are the ones CI runs, the changelog exists,
//! and the hostile-input catalogue's README names the tests that exist.

mod common;

use common::{root, run};

#[test]
fn committed_completions_are_current() {
    for (shell, file) in [
        ("bash", "scanquota.bash"),
        ("zsh", "scanquota.zsh"),
        ("fish", "scanquota.fish"),
        ("powershell", "scanquota.powershell"),
        ("elvish", "scanquota.elvish"),
    ] {
        let (code, generated, stderr) = run(&["completions", shell]);
        assert_eq!(code, 0, "{stderr}");
        let committed = std::fs::read_to_string(root().join("completions").join(file))
            .unwrap_or_else(|_| panic!("completions/{file} is committed"));
        assert!(
            committed == generated,
            "completions/{file} is stale: run `cargo run -- completions {shell} > completions/{file}`"
        );
    }
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md")
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = readme();
    let ci = std::fs::read_to_string(root().join(".ci/run")).expect(".ci/run");
    let test_command = "cargo test";
    assert!(
        readme.contains(&format!("\n{test_command}\n")),
        "README shows `{test_command}`"
    );
    assert!(
        ci.lines().any(|line| line.trim() == test_command),
        ".ci/run runs `{test_command}`"
    );
}

#[test]
fn readme_main_command_runs_on_bundled_fixtures() {
    let readme = readme();
    let line = readme
        .lines()
        .find(|line| line.starts_with("cargo run --release -- "))
        .expect("README has a `cargo run --release -- …` command");
    let args: Vec<&str> = line
        .trim_start_matches("cargo run --release -- ")
        .split_whitespace()
        .collect();
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{line}: {stderr}");
    assert!(!stdout.is_empty());
}

#[test]
fn changelog_keeps_an_unreleased_section() {
    let changelog = std::fs::read_to_string(root().join("CHANGELOG.md")).expect("CHANGELOG.md");
    assert!(changelog.contains("## [Unreleased]"));
}

#[test]
fn readme_shows_the_main_command_output() {
    let readme = readme();
    let line = readme
        .lines()
        .find(|line| line.starts_with("cargo run --release -- "))
        .unwrap();
    let args: Vec<&str> = line
        .trim_start_matches("cargo run --release -- ")
        .split_whitespace()
        .collect();
    let (_, stdout, _) = run(&args);
    let opening = "<!-- report-output:start -->\n```text\n";
    let start = readme.find(opening).expect("output block") + opening.len();
    let end = readme
        .find("```\n<!-- report-output:end -->")
        .expect("output block end");
    let shown: Vec<&str> = readme[start..end].lines().map(str::trim_end).collect();
    let actual: Vec<&str> = stdout.lines().map(str::trim_end).collect();
    assert_eq!(
        shown, actual,
        "README's sample output is stale: paste the command's output"
    );
}

#[test]
fn bash_completion_script_loads() {
    let output = std::process::Command::new("bash")
        .arg("-c")
        .arg("set -e; source completions/scanquota.bash; complete -p scanquota")
        .current_dir(root())
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("scanquota"));
}

#[test]
fn readme_showback_example_prints_what_it_says() {
    let readme = readme();
    let line = readme
        .lines()
        .find(|line| {
            line.starts_with("scanquota report")
                && line.contains("--by team")
                && !line.contains("--format")
        })
        .expect("README's showback command");
    let args: Vec<&str> = line
        .trim_start_matches("scanquota ")
        .split_whitespace()
        .collect();
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{line}: {stderr}");
    let opening = "<!-- showback-output:start -->\n```text\n";
    let start = readme.find(opening).expect("showback block") + opening.len();
    let end = readme
        .find("```\n<!-- showback-output:end -->")
        .expect("showback block end");
    let shown: Vec<&str> = readme[start..end].lines().collect();
    let actual: Vec<&str> = stdout.lines().collect();
    assert!(
        actual.ends_with(&shown),
        "README's showback output is stale: paste the end of the command's output"
    );
}

/// The test files that tests/README.md lists whole, one row a test.
const LISTED_WHOLE: &[&str] = &[
    "bad_input.rs",
    "input_limits.rs",
    "no_silent_skip.rs",
    "output_safety.rs",
    "overflow.rs",
];

fn test_file(name: &str) -> String {
    std::fs::read_to_string(root().join("tests").join(name))
        .unwrap_or_else(|_| panic!("tests/{name}"))
}

/// The backticked names in the `test` column of tests/README.md's tables.
fn catalogue_readme_names() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("tests/README.md")).expect("tests/README.md");
    let mut names = Vec::new();
    // Outside a table: None; in one: the index of its `test` column, if any.
    let mut table: Option<Option<usize>> = None;
    for line in readme.lines() {
        if !line.starts_with('|') {
            table = None;
            continue;
        }
        // `\|` is a pipe inside a cell.
        let row = line.replace("\\|", "");
        let cells: Vec<&str> = row
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        let Some(column) = table else {
            table = Some(cells.iter().position(|cell| *cell == "test"));
            continue;
        };
        let Some(cell) = column.and_then(|i| cells.get(i)) else {
            continue;
        };
        if cell.chars().all(|c| c == '-' || c == ':') {
            continue;
        }
        let in_cell: Vec<String> = cell
            .split('`')
            .skip(1)
            .step_by(2)
            .map(String::from)
            .collect();
        assert!(
            !in_cell.is_empty(),
            "tests/README.md: a row without a test: {line}"
        );
        names.extend(in_cell);
    }
    names
}

/// Every `fn NAME` in tests/*.rs.
fn functions_in_tests() -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(root().join("tests")).expect("tests/") {
        let path = entry.expect("tests/ entry").path();
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a test file");
        for after in text.split("fn ").skip(1) {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.insert(name);
        }
    }
    names
}

/// The `name` of every case in tests/bad_input.rs's `catalogue()`.
fn catalogue_case_names() -> Vec<String> {
    let text = test_file("bad_input.rs");
    let mut names = Vec::new();
    for opening in ["log_case(", "plan_case(", "name: "] {
        for after in text.split(opening).skip(1) {
            if let Some(quoted) = after.trim_start().strip_prefix('"') {
                names.push(quoted[..quoted.find('"').unwrap()].to_string());
            }
        }
    }
    names
}

/// The `#[test]` functions of a test file.
fn tests_in(file: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut attributed = false;
    for line in test_file(file).lines().map(str::trim) {
        if line == "#[test]" {
            attributed = true;
        } else if attributed && let Some(after) = line.strip_prefix("fn ") {
            names.push(after[..after.find('(').unwrap()].to_string());
            attributed = false;
        }
    }
    names
}

#[test]
fn the_catalogue_readme_names_only_tests_that_exist() {
    let functions = functions_in_tests();
    let cases = catalogue_case_names();
    let names = catalogue_readme_names();
    let missing: Vec<&String> = names
        .iter()
        .filter(|name| !functions.contains(*name) && !cases.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "tests/README.md names tests that do not exist (renamed or removed? fix its rows): {missing:?}"
    );
}

#[test]
fn the_catalogue_readme_lists_every_case_and_test() {
    let names = catalogue_readme_names();
    let mut expected = catalogue_case_names();
    assert!(expected.len() >= 40, "catalogue cases found: {expected:?}");
    for file in LISTED_WHOLE {
        let tests = tests_in(file);
        assert!(!tests.is_empty(), "no #[test] found in tests/{file}");
        expected.extend(tests);
    }
    let unlisted: Vec<&String> = expected
        .iter()
        .filter(|name| !names.contains(name))
        .collect();
    assert!(
        unlisted.is_empty(),
        "tests/README.md has no row for (add one with its exit and message): {unlisted:?}"
    );
}
