//! Positions as the client counts them (UTF-16 or UTF-8 columns) and byte offsets, both ways,
//! and the client's changes applied to a document's rope.

use std::ops::Range as ByteRange;

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

use crate::text::SourceText;

/// How the client counts columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PositionEncoding {
    Utf8,
    Utf16,
}

/// Byte offset in `text` of an LSP position; positions past the end clamp to it.
pub(super) fn offset_of(
    source: &SourceText,
    position: Position,
    encoding: PositionEncoding,
) -> usize {
    match encoding {
        PositionEncoding::Utf16 => source.offset_of_utf16(position.line, position.character),
        PositionEncoding::Utf8 => {
            let line = position.line as usize;
            if line >= source.line_count() {
                return source.as_str().len();
            }
            let range = source.line_range(line);
            let mut at = (range.start + position.character as usize).min(range.end);
            while !source.as_str().is_char_boundary(at) {
                at -= 1;
            }
            at
        }
    }
}

pub(super) fn position_of(
    source: &SourceText,
    offset: usize,
    encoding: PositionEncoding,
) -> Position {
    match encoding {
        PositionEncoding::Utf16 => {
            let (line, character) = source.utf16_position(offset);
            Position::new(line, character)
        }
        PositionEncoding::Utf8 => {
            let offset = offset.min(source.as_str().len());
            let line = source.line_of(offset);
            Position::new(
                line as u32,
                (offset - source.line_range(line).start.min(offset)) as u32,
            )
        }
    }
}

pub(super) fn range_of(
    source: &SourceText,
    range: &ByteRange<usize>,
    encoding: PositionEncoding,
) -> Range {
    Range::new(
        position_of(source, range.start, encoding),
        position_of(source, range.end, encoding),
    )
}

/// Applies one content change to a rope, converting the client's positions. The rope's lines
/// are the protocol's: \n, \r\n and \r end a line, nothing else (ropey is built with
/// `cr_lines`, not `unicode_lines`, which would also break at U+2028, U+0085…). A character
/// past the end of a line is the end of that line, before its line break; a line past the
/// end of the text is the end of the text.
pub(super) fn apply_change(
    rope: &mut Rope,
    change: &TextDocumentContentChangeEvent,
    encoding: PositionEncoding,
) {
    let Some(range) = change.range else {
        *rope = Rope::from_str(&change.text);
        return;
    };
    let to_char = |p: Position| -> usize {
        let line = p.line as usize;
        if line >= rope.len_lines() {
            return rope.len_chars();
        }
        let slice = rope.line(line);
        let chars = slice.len_chars();
        let line_break = match (
            chars.checked_sub(2).map(|i| slice.char(i)),
            chars.checked_sub(1).map(|i| slice.char(i)),
        ) {
            (Some('\r'), Some('\n')) => 2,
            (_, Some('\n' | '\r')) => 1,
            _ => 0,
        };
        let text = slice.slice(..chars - line_break);
        let column = match encoding {
            PositionEncoding::Utf16 => {
                text.utf16_cu_to_char((p.character as usize).min(text.len_utf16_cu()))
            }
            PositionEncoding::Utf8 => {
                text.byte_to_char((p.character as usize).min(text.len_bytes()))
            }
        };
        rope.line_to_char(line) + column
    };
    let start = to_char(range.start);
    let end = to_char(range.end).max(start);
    rope.remove(start..end);
    rope.insert(start, &change.text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_as_the_client_counts_them() {
        let source = SourceText::new("第1条\n𠮷野家\n".to_string());
        let at = source.as_str().find('野').expect("野");
        // 𠮷 is two UTF-16 code units and four bytes
        assert_eq!(
            position_of(&source, at, PositionEncoding::Utf16),
            Position::new(1, 2)
        );
        assert_eq!(
            position_of(&source, at, PositionEncoding::Utf8),
            Position::new(1, 4)
        );
        assert_eq!(
            offset_of(&source, Position::new(1, 2), PositionEncoding::Utf16),
            at
        );
        assert_eq!(
            offset_of(&source, Position::new(1, 4), PositionEncoding::Utf8),
            at
        );
        // past the end of a line: its end; past the last line: the end of the text
        assert_eq!(
            offset_of(&source, Position::new(0, 99), PositionEncoding::Utf8),
            "第1条".len()
        );
        let end = source.as_str().len();
        assert_eq!(
            offset_of(&source, Position::new(9, 0), PositionEncoding::Utf16),
            end
        );
    }

    #[test]
    fn a_change_lands_where_the_client_put_it() {
        let mut rope = Rope::from_str("第1条\r\n本文\n");
        let change = |range: Option<Range>, text: &str| TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.to_string(),
        };
        // a column past the end of the line stays before its line break
        let at = Position::new(0, 99);
        apply_change(
            &mut rope,
            &change(Some(Range::new(at, at)), "（目的）"),
            PositionEncoding::Utf16,
        );
        assert_eq!(rope.to_string(), "第1条（目的）\r\n本文\n");
        apply_change(&mut rope, &change(None, "全文"), PositionEncoding::Utf8);
        assert_eq!(rope.to_string(), "全文");
    }
}
