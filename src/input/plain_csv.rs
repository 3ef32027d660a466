//! Rows of plain CSV read by cutting lines at the delimiter, without the csv
//! crate's byte-by-byte state machine: the rows of a large log are almost
//! always plain — no quotes, no carriage returns, UTF-8, every row the
//! header's width — and for those the cut is the parse. Each byte is looked
//! at once, by one vectorised comparison with the delimiter and the line
//! end ([`Cuts`]), after a search of the whole chunk for a quote or a
//! carriage return and one UTF-8 check of the chunk.
//!
//! Why by hand (docs/decisions.md, "Plain rows"): the csv crate's parse was
//! a fifth of a large report's time and the floor itself. At the first line
//! that is not plain the cut stops and hands back the bytes from that line
//! on, so the caller reads the rest with the csv crate, which takes quotes
//! and carriage returns as it always did and names any problem. A property
//! test pins the rows and lines of both to each other
//! (`src/input/log/pieces.rs`).

use crate::domain::error::Result;
use crate::domain::limits::MAX_RECORD_BYTES;
use crate::input::csv_input::Row;
use std::io::Read;

/// The bytes read and cut at a time; a line longer than this is left to
/// the csv crate.
pub(crate) const PLAIN_CHUNK: usize = 1 << 20;

/// Where [`read_plain_rows`] stopped.
pub(crate) struct PlainEnd {
    /// Line ends before `rest` (in the rows cut and the blank lines among them).
    pub(crate) newlines: u64,
    /// Bytes of the input before `rest`.
    pub(crate) consumed: u64,
    /// The caller's `each` asked to stop: read no further.
    pub(crate) stopped: bool,
    /// The bytes read but not cut, from just after the last row cut (blank
    /// lines after it, then the first line that is not plain): the rest of
    /// the input is these, then what `input` still holds.
    pub(crate) rest: Vec<u8>,
}

/// What the rows are: the file's name and kind, for messages, its header's
/// names (every row has as many fields) and the delimiter.
pub(crate) struct PlainLayout<'a> {
    pub(crate) name: &'a str,
    pub(crate) kind: &'static str,
    pub(crate) names: &'a [String],
    pub(crate) delimiter: u8,
}

/// Whether lines can be cut at `delimiter` without the csv state machine: a
/// delimiter that is not ASCII could cut a character in two; one that is a
/// quote or a line end is not a delimiter the cut understands.
pub(crate) fn cuts_plainly(delimiter: u8) -> bool {
    delimiter.is_ascii() && !matches!(delimiter, b'"' | b'\n' | b'\r')
}

/// The positions of two bytes in a text, in order, as `memchr2_iter` gives
/// them, found 64 bytes at a time as a mask of bits: a row's cuts are a few
/// bytes apart (eight in 138 bytes on the bench's logs), and `memchr2_iter`
/// starts a vectorised search afresh after each, which took a quarter of a
/// reader's time; here each byte is compared once, sixteen at a time (SSE2
/// on x86-64; a plain loop elsewhere and for a last partial block), and
/// each cut costs a count of trailing zeros. A property test pins it to
/// `memchr2_iter`.
pub(crate) struct Cuts<'a> {
    bytes: &'a [u8],
    needles: (u8, u8),
    /// The found positions of the block at `base`, one bit each.
    mask: u64,
    base: usize,
    /// Where the next block starts.
    next: usize,
}

impl<'a> Cuts<'a> {
    pub(crate) fn new(first: u8, second: u8, bytes: &'a [u8]) -> Self {
        Cuts {
            bytes,
            needles: (first, second),
            mask: 0,
            base: 0,
            next: 0,
        }
    }

    /// The bits of `block`'s bytes equal to either needle.
    #[inline]
    fn mask_of(block: &[u8], (first, second): (u8, u8)) -> u64 {
        let mut mask = 0u64;
        for (index, byte) in block.iter().enumerate() {
            mask |= u64::from((*byte == first) | (*byte == second)) << index;
        }
        mask
    }

    /// [`Cuts::mask_of`] for a whole block, sixteen bytes a comparison
    /// (SSE2, which every x86-64 processor has).
    #[cfg(target_arch = "x86_64")]
    #[inline]
    fn mask_of_whole(block: &[u8; 64], (first, second): (u8, u8)) -> u64 {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of x86-64, so every processor it runs on
        // has these instructions; each load reads sixteen bytes of `block`.
        unsafe {
            let (first, second) = (_mm_set1_epi8(first as i8), _mm_set1_epi8(second as i8));
            let mut mask = 0u64;
            for (index, sixteen) in block.chunks_exact(16).enumerate() {
                let bytes = _mm_loadu_si128(sixteen.as_ptr().cast::<__m128i>());
                let found =
                    _mm_or_si128(_mm_cmpeq_epi8(bytes, first), _mm_cmpeq_epi8(bytes, second));
                mask |= u64::from(_mm_movemask_epi8(found) as u16) << (16 * index);
            }
            mask
        }
    }

    #[cfg(not(target_arch = "x86_64"))]
    #[inline]
    fn mask_of_whole(block: &[u8; 64], needles: (u8, u8)) -> u64 {
        Self::mask_of(block, needles)
    }
}

impl Iterator for Cuts<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            let block = self.bytes.get(self.next..)?;
            if block.is_empty() {
                return None;
            }
            self.mask = match block.first_chunk::<64>() {
                Some(whole) => Self::mask_of_whole(whole, self.needles),
                None => Self::mask_of(block, self.needles),
            };
            self.base = self.next;
            self.next += 64;
        }
        let bit = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + bit)
    }
}

/// Read rows from `input`, which starts at a line start, `chunk` bytes at a
/// time (0: none), handing each one to `each` with its line counted from 1
/// and its offset from 0 at the start of `input`, while they are plain;
/// stop at the end of the input, at the first line that is not plain, when
/// `each` returns false, or at the first error it returns.
pub(crate) fn read_plain_rows(
    input: &mut impl Read,
    layout: &PlainLayout<'_>,
    chunk: usize,
    mut each: impl FnMut(Row<'_>) -> Result<bool>,
) -> Result<PlainEnd> {
    let delimiter = layout.delimiter;
    let mut end = PlainEnd {
        newlines: 0,
        consumed: 0,
        stopped: false,
        rest: Vec::new(),
    };
    if chunk == 0 || !cuts_plainly(delimiter) {
        return Ok(end);
    }
    let mut buffer: Vec<u8> = Vec::with_capacity(chunk);
    // Bytes of the input before `buffer[0]`.
    let mut offset = 0u64;
    let mut ends: Vec<usize> = Vec::with_capacity(layout.names.len());
    // Where the csv crate would look for the next row (just after the last
    // row's line end: blank lines after it are skipped by that search, and
    // a row's offset is where its search began), and the line ends before.
    let mut from = 0usize;
    let mut from_newlines = 0u64;
    // The start of the line being cut, and the line ends before it.
    let mut start = 0usize;
    let mut newlines = 0u64;
    loop {
        let wanted = chunk.saturating_sub(buffer.len());
        let read = (&mut *input)
            .take(wanted as u64)
            .read_to_end(&mut buffer)
            .map_err(|err| crate::domain::error::Error::io(layout.name, err))?;
        let ended = read < wanted;
        // The lines wholly in the buffer: up to its last line end, or all
        // of it at the end of the input.
        let whole = if ended {
            buffer.len()
        } else {
            memchr::memrchr(b'\n', &buffer).map_or(0, |at| at + 1)
        };
        // Plain up to the first quote or carriage return, and as far as the
        // bytes are UTF-8.
        let plain = memchr::memchr2(b'"', b'\r', &buffer[..whole]).unwrap_or(whole);
        let text = match std::str::from_utf8(&buffer[..plain]) {
            Ok(text) => text,
            Err(err) => std::str::from_utf8(&buffer[..err.valid_up_to()]).unwrap_or_default(),
        };
        // A line not whole in a full buffer (longer than a chunk, or blank
        // lines filling it) is the csv crate's.
        let mut plain_on = text.len() == whole && whole > start;
        let mut taken =
            |line: std::ops::Range<usize>, ends: &[usize], newlines: u64, from: usize| {
                // Both ends are line ends or the text's end: character boundaries.
                let line = text.get(line).unwrap_or_default();
                if ends.len() != layout.names.len() || line.len() as u64 > MAX_RECORD_BYTES {
                    return Ok(None);
                }
                let row = Row::plain(
                    layout.name,
                    layout.kind,
                    layout.names,
                    (newlines + 1, offset + from as u64),
                    line,
                    ends,
                );
                each(row).map(Some)
            };
        // The last line of an input that ends without a line end ends at
        // the end of the text, when all that is left is plain.
        let last =
            (ended && text.len() == buffer.len() && text.len() > start).then_some(text.len());
        let first = start;
        // (`start` is never past the text: only blank lines lie between the
        // last row cut and it; read it as empty if it were.)
        let rest = text.as_bytes().get(first..).unwrap_or_default();
        let cuts = Cuts::new(delimiter, b'\n', rest);
        for at in cuts.map(|at| at + first).chain(last) {
            if text.as_bytes().get(at) == Some(&delimiter) {
                ends.push(at - start);
                continue;
            }
            // A blank line is no row (the csv crate skips it).
            if at > start {
                ends.push(at - start);
                match taken(start..at, &ends, newlines, from)? {
                    None => {
                        plain_on = false;
                        break;
                    }
                    Some(false) => {
                        end.stopped = true;
                        return Ok(end);
                    }
                    Some(true) => {}
                }
                let line_end = u64::from(at < text.len());
                from = at + line_end as usize;
                from_newlines = newlines + line_end;
            }
            ends.clear();
            if at < text.len() {
                newlines += 1;
            }
            start = at + 1;
        }
        ends.clear();
        if !plain_on || ended {
            // Hand over from where the csv crate would look next.
            end.newlines = from_newlines;
            end.consumed = offset + from as u64;
            buffer.drain(..from);
            end.rest = buffer;
            return Ok(end);
        }
        // Carry what follows the last row (blank lines, the line not yet
        // whole) to the front.
        buffer.drain(..from);
        offset += from as u64;
        start -= from;
        from = 0;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The cuts are `memchr2_iter`'s: texts of any length (blocks
        /// whole and partial), needles dense and sparse, equal or not.
        #[test]
        fn cuts_are_memchr2s(
            bytes in prop::collection::vec(prop_oneof![Just(b','), Just(b'\n'), any::<u8>()], 0..400),
            first in prop_oneof![Just(b','), any::<u8>()],
            second in prop_oneof![Just(b'\n'), any::<u8>()],
            skip in 0usize..70,
        ) {
            let bytes = &bytes[skip.min(bytes.len())..];
            let cut: Vec<usize> = super::Cuts::new(first, second, bytes).collect();
            let searched: Vec<usize> = memchr::memchr2_iter(first, second, bytes).collect();
            prop_assert_eq!(cut, searched);
        }
    }

    /// Lines the cut must hand over or the reader refuse: quotes, CRLF and
    /// lone CR, quoted line breaks, bytes that are not UTF-8, non-ASCII
    /// text, other widths, values the reader refuses, a quote left open.
    const ODD_LINES: &[&[u8]] = &[
        b"2024-01-01T00:00:00Z,\"a1\",img1,success,\n",
        b"2024-01-01T00:00:00Z,a2,img1,success,s1\r\n",
        b"2024-01-01T00:00:00Z,a2,img1,success,s1\r",
        b"2024-01-01T00:00:00Z,\"a\nb\",img1,success,\n",
        b"2024-01-01T00:00:00Z,a1,img\xff,success,\n",
        "2024-01-01T00:00:00Z,ä,img2,success,\n".as_bytes(),
        b"2024-01-01T00:00:00Z,a1\n",
        b"2024-01-01T00:00:00Z,a1,img1,success,s1,extra\n",
        b"yesterday,a1,img1,success,\n",
        b",,,,\n",
        b"2024-01-01T00:00:00Z,a1,img1,success,\"s1\n",
        b" 2024-01-01T00:00:00 , a3 ,img1,FAILED,\n",
        b"2024-01-01T00:00:00Z,\"a\nb\",img1\n",
        b"2024-01-01T00:00:00Z,a1,\"img1,success,\n",
    ];

    /// Rows for a log whose header is `timestamp,account,image,status,scan_id`,
    /// of every kind the cut meets or hands over: plain rows, blank lines,
    /// quotes, CRLF and lone CR, quoted line breaks, bytes that are not
    /// UTF-8, other widths, values the reader refuses, a quote left open.
    pub(crate) fn log_lines() -> impl Strategy<Value = Vec<u8>> {
        let plain = (
            0u32..500,
            0u8..4,
            0u8..9,
            any::<bool>(),
            prop::option::of(0u16..50),
        )
            .prop_map(|(minute, account, image, failed, id)| {
                format!(
                    "2024-01-01T{:02}:{:02}:00Z,a{account},img{image},{},{}\n",
                    minute / 60,
                    minute % 60,
                    if failed { "failed" } else { "success" },
                    id.map(|id| format!("s{id}")).unwrap_or_default()
                )
                .into_bytes()
            });
        prop_oneof![
            12 => plain,
            2 => Just(b"\n".to_vec()),
            14 => prop::sample::select(ODD_LINES).prop_map(<[u8]>::to_vec),
        ]
    }
}
