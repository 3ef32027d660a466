//! GitHub-flavoured Markdown of the shared layout, for CI job summaries and
//! documents: the same sections and figures as the terminal table.

use super::layout::{Block, Grid};
use std::fmt::Write;

/// A cell's or heading's text with the characters that would break a
/// Markdown table escaped, those that would start inline HTML or an entity
/// (`<`, `>`, `&`: an account named `<script>` is shown as text, not passed
/// to the page a summary is rendered in), and those that would make a
/// link, emphasis or code of it (a group `[z](javascript:…)` is text too;
/// escaped, each still renders as itself). A `_` between two letters or
/// digits (`used_percent`, `team_a`) starts no emphasis and is left as is.
pub(crate) fn cell(text: &str) -> String {
    escaped(
        &text.replace(['\n', '\r'], " "),
        &['\\', '|', '<', '>', '&', '[', ']', '*', '`', '_'],
    )
}

/// A sentence's text with the characters that would start inline HTML, an
/// entity, a link, emphasis or code escaped, as in [`cell`] (sentences name
/// accounts too).
fn sentence(text: &str) -> String {
    escaped(text, &['<', '>', '&', '[', ']', '*', '`', '_'])
}

/// `text` with a backslash before each of `marks` (CommonMark's escape of
/// ASCII punctuation), but a `_` inside a word.
fn escaped(text: &str, marks: &[char]) -> String {
    let shown = crate::domain::text::shown(text);
    let chars: Vec<char> = shown.chars().collect();
    let mut escaped = String::with_capacity(text.len());
    for (at, &c) in chars.iter().enumerate() {
        let inside_a_word = c == '_'
            && at > 0
            && chars[at - 1].is_alphanumeric()
            && chars.get(at + 1).is_some_and(|next| next.is_alphanumeric());
        if marks.contains(&c) && !inside_a_word {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A Markdown table; columns from `right_from` on are right-aligned.
pub(crate) fn table(header: &[&str], right_from: usize, rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let heads: Vec<String> = header.iter().map(|h| cell(h)).collect();
    let _ = writeln!(out, "| {} |", heads.join(" | "));
    let rules: Vec<&str> = (0..header.len())
        .map(|i| if i >= right_from { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "| {} |", rules.join(" | "));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

fn grid(grid: &Grid) -> String {
    let header: Vec<&str> = grid.header.iter().map(String::as_str).collect();
    table(&header, grid.right_from, &grid.rows)
}

/// Draw the blocks as Markdown.
pub(crate) fn draw(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Title(text) => {
                let _ = writeln!(out, "## {}\n", cell(text));
            }
            Block::Heading(text) => {
                let _ = writeln!(out, "### {}\n", cell(text));
            }
            Block::Text(text) => {
                // Two spaces would end a Markdown line in a hard break; a
                // blank line between them keeps each sentence its own line
                // without trailing spaces.
                for line in text.lines() {
                    let _ = writeln!(out, "{}\n", sentence(line.trim_end()));
                }
            }
            Block::Grid(table) => {
                let _ = writeln!(out, "{}", grid(table));
            }
            Block::Chart { .. } => {}
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
