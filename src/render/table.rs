//! Terminal tables: the shared layout drawn with comfy-table, wrapped to the
//! terminal's width on a terminal and to 100 columns otherwise, with no line
//! ending in a space.

use super::layout::{Block, Grid};
use comfy_table::{
    Cell, CellAlignment, ColumnConstraint, ContentArrangement, LineStyle, Table, TableStyle, Width,
};

/// Rules above, below and under the header only: light to read, and narrow.
pub(crate) const STYLE: TableStyle = TableStyle::new()
    .top_border(LineStyle::none().fill('─').junction('─'))
    .header_separator(LineStyle::none().fill('─').junction('─'))
    .bottom_border(LineStyle::none().fill('─').junction('─'));

/// A comfy-table with the house style, wrapping its cells to `width`
/// columns (the command decides it: `COLUMNS`, the terminal, or 100).
pub(crate) fn new_table(
    header: Option<&[String]>,
    right_from: usize,
    columns: usize,
    width: u16,
) -> Table {
    let mut table = Table::new();
    table
        .load_style(STYLE)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width);
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

/// The display width of the longest word (run without spaces) in `text`:
/// the narrowest a column holding it may be without splitting a number, a
/// date or a header word.
pub(crate) fn longest_token(text: &str) -> usize {
    text.split([' ', '\n'])
        .map(textwrap::core::display_width)
        .max()
        .unwrap_or(0)
}

/// Keep every column at least as wide as its longest word: comfy-table then
/// wraps cells only at spaces, and when the words cannot fit the width the
/// table runs wider than it rather than split one.
pub(crate) fn keep_tokens_whole<'a>(
    table: &mut Table,
    rows: impl IntoIterator<Item = &'a [String]>,
) {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        widen(&mut widths, row);
    }
    set_lower_bounds(table, widths);
}

/// Widen `widths` to hold the longest word of each of `row`'s cells.
pub(crate) fn widen<S: AsRef<str>>(widths: &mut Vec<usize>, row: &[S]) {
    if widths.len() < row.len() {
        widths.resize(row.len(), 0);
    }
    for (width, cell) in widths.iter_mut().zip(row) {
        *width = (*width).max(longest_token(cell.as_ref()));
    }
}

/// No column of `table` narrower than its entry in `widths`.
pub(crate) fn set_lower_bounds(table: &mut Table, widths: Vec<usize>) {
    for (index, width) in widths.into_iter().enumerate() {
        if let Some(column) = table.column_mut(index) {
            // comfy-table's boundary counts the column's padding.
            let width = u16::try_from(width)
                .unwrap_or(u16::MAX)
                .saturating_add(column.padding_width());
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(width)));
        }
    }
}

fn grid(grid: &Grid, width: u16) -> String {
    let header = grid.show_header.then_some(grid.header.as_slice());
    let mut table = new_table(header, grid.right_from, grid.header.len(), width);
    // Shown escaped before the columns are measured, so a word's width is
    // the width it is printed at.
    let rows: Vec<Vec<String>> = (grid.rows.iter())
        .map(|row| {
            row.iter()
                .map(|cell| crate::domain::text::shown(cell).into_owned())
                .collect()
        })
        .collect();
    for row in &rows {
        table.add_row(row.iter().map(Cell::new));
    }
    keep_tokens_whole(
        &mut table,
        header.into_iter().chain(rows.iter().map(Vec::as_slice)),
    );
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
fn wrap_options(width: u16) -> textwrap::Options<'static> {
    textwrap::Options::new(usize::from(width))
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// Draw the blocks; every line ends without a space.
pub(crate) fn draw(blocks: &[Block], width: u16) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Title(text) | Block::Text(text) => {
                for line in text.lines() {
                    for wrapped in
                        textwrap::wrap(&crate::domain::text::shown(line), wrap_options(width))
                    {
                        out.push_str(&wrapped);
                        out.push('\n');
                    }
                }
            }
            Block::Heading(text) => {
                out.push('\n');
                for wrapped in
                    textwrap::wrap(&crate::domain::text::shown(text), wrap_options(width))
                {
                    out.push_str(&wrapped);
                    out.push('\n');
                }
            }
            Block::Grid(table) => {
                out.push_str(&grid(table, width));
                out.push('\n');
            }
            Block::Chart { .. } => {}
        }
    }
    trim_line_ends(&out)
}

/// Remove the spaces comfy-table pads the last column with.
pub(crate) fn trim_line_ends(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
