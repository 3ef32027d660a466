//! Keep the repository's promises true: committed completions match the
//! binary, README's two commands are the ones CI runs, the changelog exists.

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
