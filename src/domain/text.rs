//! Text read from files that is printed again: what may not be in a name,
//! and how views and messages show a character that would act on the
//! terminal or the page instead of being read.

use std::borrow::Cow;

/// Why an account name holding a character [`is_hidden`] names is refused,
/// wherever it is read (a log row, a `--cores` sample, a merged report):
/// every view prints the name.
pub(crate) const HIDDEN_IN_ACCOUNT: &str = "holds a control character, an invisible character or a mark that reorders text; account names are plain text";

/// Why a plan's text holding a character [`is_hidden`] names is refused:
/// its names (the plan's, the provider's, an allowance's, a fee's) reach
/// every view, FOCUS CSV and the HTML page as written.
pub(crate) const HIDDEN_IN_PLAN: &str = "holds a control character, an invisible character or a mark that reorders text; plan text is plain text: remove it";

/// Whether `c` would act rather than be read where a name is printed: a
/// control character (C0, DEL, C1: an escape sequence starts with one), or
/// a format character (Unicode general category Cf): the marks that reorder
/// the text around them (bidirectional embeddings, overrides and isolates,
/// the direction marks) and the invisible ones (zero-width space, soft
/// hyphen, word joiner, BOM…), either of which can make a name read as
/// another (`ac\u{200b}me` prints as `acme`); the joiners that scripts
/// and emoji need are text ([`is_format`]).
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control() || is_format(c)
}

/// Whether `c` is in Unicode's general category Cf (format), as of Unicode
/// 15.1, but for the joiners. Listed here rather than taken from a crate:
/// the category changes rarely, and a character added to it later is at
/// worst shown as is. The zero-width non-joiner and joiner (U+200C, U+200D)
/// shape Persian and Indic words and join emoji: they are how that text is
/// written, and stay allowed. Tags (U+E0020..U+E007F), which spell a few
/// subdivision flags, are refused: alone they print as nothing.
fn is_format(c: char) -> bool {
    if matches!(c, '\u{200C}' | '\u{200D}') {
        return false;
    }
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Whether `text` holds a character [`is_hidden`] names.
pub(crate) fn has_hidden(text: &str) -> bool {
    text.chars().any(is_hidden)
}

/// `text` with each character [`is_hidden`] names shown as its Rust escape
/// (`\u{1b}`), the rest as it is.
pub fn shown(text: &str) -> Cow<'_, str> {
    if !has_hidden(text) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// The identity a text is known by: its 128-bit XXH3 hash (an image's in
/// the logs, a plan's in a report's `plan_digest`).
pub(crate) fn fingerprint(text: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_reordering_marks_are_shown_escaped() {
        assert_eq!(shown("team-a ✓"), "team-a ✓");
        assert_eq!(shown("a\u{1b}[2Jb\u{7}"), "a\\u{1b}[2Jb\\u{7}");
        assert_eq!(shown("\t\n\u{9b}\u{7f}"), "\\u{9}\\u{a}\\u{9b}\\u{7f}");
        assert_eq!(shown("abc\u{202E}fed"), "abc\\u{202e}fed");
        assert!(has_hidden("x\u{2066}") && !has_hidden("x\u{2070}"));
        assert_eq!(
            shown("ac\u{200b}me\u{ad}\u{2060}\u{feff}\u{e0041}"),
            "ac\\u{200b}me\\u{ad}\\u{2060}\\u{feff}\\u{e0041}"
        );
        // Joiners are how some words and emoji are written.
        for text in [
            "\u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}",
            "\u{915}\u{94d}\u{200d}\u{937}",
            "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}",
        ] {
            assert!(!has_hidden(text), "{}", shown(text));
        }
        // Letters, marks and spaces that print are left alone.
        assert!(!has_hidden("café cafe\u{301} Ωmega 名前 a\u{a0}b"));
    }
}
