//! Terminal tables: the shared layout drawn with comfy-table, wrapped to the
//! terminal's width on a terminal and to 100 columns otherwise, with no line
//! ending in a space.

use super::layout::{Block, Grid};
use comfy_table::{Cell, CellAlignment, ContentArrangement, LineStyle, Table, TableStyle};
use std::sync::atomic::{AtomicU16, Ordering};

/// Rules above, below and under the header only: light to read, and narrow.
pub const STYLE: TableStyle = TableStyle::new()
    .top_border(LineStyle::none().fill('─').junction('─'))
    .header_separator(LineStyle::none().fill('─').junction('─'))
    .bottom_border(LineStyle::none().fill('─').junction('─'));

/// Off a terminal, tables fit this many columns.
pub const DEFAULT_WIDTH: u16 = 100;

static WIDTH: AtomicU16 = AtomicU16::new(DEFAULT_WIDTH);

/// Set once at start: the terminal's width when the result goes to one.
pub fn set_width(width: u16) {
    WIDTH.store(width.max(40), Ordering::Relaxed);
}

pub fn width() -> u16 {
    WIDTH.load(Ordering::Relaxed)
}

/// A comfy-table with the house style, wrapping its cells to [`width`].
pub fn new_table(header: Option<&[String]>, right_from: usize, columns: usize) -> Table {
    let mut table = Table::new();
    table
        .load_style(STYLE)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width());
    if let Some(header) = header {
        table.set_header(header.iter().map(Cell::new));
    }
    for index in right_from..columns {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

fn grid(grid: &Grid) -> String {
    let header = grid.show_header.then_some(grid.header.as_slice());
    let mut table = new_table(header, grid.right_from, grid.header.len());
    for row in &grid.rows {
        table.add_row(row.iter().map(Cell::new));
    }
    if !grid.show_header {
        // Without a header comfy-table learns the columns from the rows.
        for index in grid.right_from..grid.header.len() {
            if let Some(column) = table.column_mut(index) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    table.to_string()
}

/// Text wraps at spaces only: a date such as 2024-11-10 is never split at
/// its hyphens.
fn wrap_options() -> textwrap::Options<'static> {
    textwrap::Options::new(usize::from(width()))
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// Draw the blocks; every line ends without a space.
pub fn draw(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Title(text) | Block::Text(text) => {
                for line in text.lines() {
                    for wrapped in textwrap::wrap(line, wrap_options()) {
                        out.push_str(&wrapped);
                        out.push('\n');
                    }
                }
            }
            Block::Heading(text) => {
                out.push('\n');
                for wrapped in textwrap::wrap(text, wrap_options()) {
                    out.push_str(&wrapped);
                    out.push('\n');
                }
            }
            Block::Grid(table) => {
                out.push_str(&grid(table));
                out.push('\n');
            }
            Block::Chart { .. } => {}
        }
    }
    trim_line_ends(&out)
}

/// Remove the spaces comfy-table pads the last column with.
pub fn trim_line_ends(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
