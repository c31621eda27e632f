//! Source text: the decoded document and a line index that converts byte
//! offsets to the positions editors and terminals expect.

/// A 1-based line and column, as printed to users (column counts Unicode characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The document text with a per-line index, so that position conversion never
/// rescans the document, and (built on first need) character counts at fixed byte
/// intervals, so that it never rescans a long line either.
///
/// An *excerpt* keeps only some lines of a document (those a report points at), so a
/// checked file's report does not hold the whole text; its offsets are offsets into the
/// excerpt, and line numbers in and out are the document's.
#[derive(Debug, Clone)]
pub struct SourceText {
    text: String,
    line_starts: Vec<usize>,
    /// For an excerpt: the document's 0-based line number of each line kept, ascending.
    line_numbers: Option<Vec<usize>>,
    /// Characters and UTF-16 units before every `CHECKPOINT_BYTES`th byte, built the first
    /// time a column is asked for far from its line's start (a one-line document of
    /// megabytes would otherwise be rescanned for every finding).
    checkpoints: std::sync::OnceLock<Vec<Checkpoint>>,
}

/// Bytes between two checkpoints; a column is counted over at most twice this.
const CHECKPOINT_BYTES: usize = 4096;

/// Counts of the text before `byte` (a character boundary).
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    byte: usize,
    chars: usize,
    utf16: usize,
}

/// Characters and UTF-16 code units of a string.
fn counts(s: &str) -> (usize, usize) {
    s.chars()
        .fold((0, 0), |(c, u), ch| (c + 1, u + ch.len_utf16()))
}

impl SourceText {
    /// Lines end at \n, \r\n and a lone \r, as the language server protocol counts them (an
    /// editor shows a file saved with old Mac line ends as lines, and so does every output).
    pub fn new(text: String) -> Self {
        let mut line_starts = vec![0];
        let bytes = text.as_bytes();
        // line breaks found by a vectorised search (a line break is one byte, never part of
        // another character); a \r followed by \n ends its line at the \n
        line_starts.extend(
            memchr::memchr2_iter(b'\n', b'\r', bytes)
                .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
                .map(|i| i + 1),
        );
        Self {
            text,
            line_starts,
            line_numbers: None,
            checkpoints: Default::default(),
        }
    }

    /// An excerpt of this text holding the lines that contain `offsets` (clamped to the
    /// text). Returns it with a function that maps an offset on a kept line to the
    /// excerpt's offset.
    pub fn excerpt(&self, offsets: impl IntoIterator<Item = usize>) -> Excerpt {
        let mut kept: Vec<usize> = offsets
            .into_iter()
            .map(|o| self.index_of(self.clamp(o)))
            .collect();
        kept.sort_unstable();
        kept.dedup();
        let mut text = String::new();
        let mut line_starts = Vec::with_capacity(kept.len());
        let mut line_numbers = Vec::with_capacity(kept.len());
        let mut broken = false;
        for &k in &kept {
            line_starts.push(text.len());
            line_numbers.push(self.numbered(k));
            let end = self.line_starts.get(k + 1).copied();
            text.push_str(&self.text[self.line_starts[k]..end.unwrap_or(self.text.len())]);
            broken = end.is_some();
        }
        // The last line kept ends the excerpt (its line break would start a line of its own).
        if broken {
            text.pop();
        }
        Excerpt {
            source: SourceText {
                text,
                line_starts,
                line_numbers: Some(line_numbers),
                checkpoints: Default::default(),
            },
            from: kept.iter().map(|&k| self.line_starts[k]).collect(),
        }
    }

    /// The parts an excerpt is saved as: its text and the document line number of each line.
    pub fn excerpt_parts(&self) -> Option<(&str, &[usize])> {
        Some((&self.text, self.line_numbers.as_deref()?))
    }

    /// An excerpt from its saved parts; `None` when they do not fit together.
    pub fn from_excerpt_parts(text: String, line_numbers: Vec<usize>) -> Option<Self> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let ascending = line_numbers.windows(2).all(|w| w[0] < w[1]);
        (line_starts.len() == line_numbers.len().max(1) && ascending).then_some(Self {
            text,
            line_starts,
            line_numbers: Some(line_numbers),
            checkpoints: Default::default(),
        })
    }

    /// The document line number of the text's `index`th line.
    fn numbered(&self, index: usize) -> usize {
        match &self.line_numbers {
            Some(n) => n.get(index).copied().unwrap_or(index),
            None => index,
        }
    }

    /// The index in `line_starts` of a document line number (for an excerpt: the kept
    /// line at or after it).
    fn index_of_line(&self, line: usize) -> usize {
        match &self.line_numbers {
            Some(n) => n
                .partition_point(|&l| l < line)
                .min(n.len().saturating_sub(1)),
            None => line,
        }
    }

    fn index_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Lines in the text (for an excerpt, the lines kept).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line index containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.numbered(self.index_of(offset))
    }

    /// Byte range of 0-based `line`, without its line terminator.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let line = self.index_of_line(line);
        let start = self.line_starts[line];
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// The part of 0-based `line` to show for a finding at `range`: the whole line when it
    /// is not long, else a window of `WINDOW_CONTEXT` characters either side of the finding
    /// (of which at most `WINDOW_MARK` characters are shown), as rustc and ruff cut long
    /// lines, so that a report grows with its findings and not with their lines' length.
    pub fn line_window(&self, line: usize, range: std::ops::Range<usize>) -> LineWindow {
        let whole = self.line_range(line);
        let mark_start = self.clamp(range.start.clamp(whole.start, whole.end));
        let mark_end = self.clamp(range.end.clamp(mark_start, whole.end));
        if whole.len() <= WINDOW_WHOLE_LINE_BYTES {
            return LineWindow {
                shown: whole.clone(),
                mark: mark_start..mark_end,
                cut_before: false,
                cut_after: false,
            };
        }
        let back = |from: usize, chars: usize| {
            self.text[whole.start..from]
                .char_indices()
                .rev()
                .take(chars)
                .last()
                .map_or(from, |(i, _)| whole.start + i)
        };
        let forward = |from: usize, chars: usize| {
            self.text[from..whole.end]
                .char_indices()
                .nth(chars)
                .map_or(whole.end, |(i, _)| from + i)
        };
        let mark_end = mark_end.min(forward(mark_start, WINDOW_MARK));
        let shown = back(mark_start, WINDOW_CONTEXT)..forward(mark_end, WINDOW_CONTEXT);
        LineWindow {
            cut_before: shown.start > whole.start,
            cut_after: shown.end < whole.end,
            shown,
            mark: mark_start..mark_end,
        }
    }

    pub fn line_text(&self, line: usize) -> &str {
        &self.text[self.line_range(line)]
    }

    fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// 1-based line and Unicode-character column of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.clamp(offset);
        let line = self.index_of(offset);
        let column = self.span_counts(self.line_starts[line], offset).0 + 1;
        Position {
            line: self.numbered(line) + 1,
            column,
        }
    }

    /// 0-based line and UTF-16 code-unit column, as the language server protocol counts.
    pub fn utf16_position(&self, offset: usize) -> (u32, u32) {
        let offset = self.clamp(offset);
        let line = self.index_of(offset);
        let column = self.span_counts(self.line_starts[line], offset).1;
        (self.numbered(line) as u32, column as u32)
    }

    /// Characters and UTF-16 units between two character boundaries `from <= to`.
    fn span_counts(&self, from: usize, to: usize) -> (usize, usize) {
        if to - from <= 2 * CHECKPOINT_BYTES {
            return counts(&self.text[from..to]);
        }
        let (a, b) = (self.counts_before(from), self.counts_before(to));
        (b.0 - a.0, b.1 - a.1)
    }

    /// Characters and UTF-16 units of the text before a character boundary.
    fn counts_before(&self, offset: usize) -> (usize, usize) {
        let checkpoints = self.checkpoints.get_or_init(|| {
            let mut out = Vec::with_capacity(self.text.len() / CHECKPOINT_BYTES + 1);
            let (mut chars, mut utf16, mut next) = (0, 0, 0);
            for (i, ch) in self.text.char_indices() {
                if i >= next {
                    out.push(Checkpoint {
                        byte: i,
                        chars,
                        utf16,
                    });
                    next = (i / CHECKPOINT_BYTES + 1) * CHECKPOINT_BYTES;
                }
                chars += 1;
                utf16 += ch.len_utf16();
            }
            out
        });
        let k = checkpoints.partition_point(|c| c.byte <= offset);
        let Some(c) = k.checked_sub(1).map(|k| checkpoints[k]) else {
            return (0, 0);
        };
        let (chars, utf16) = counts(&self.text[c.byte..offset]);
        (c.chars + chars, c.utf16 + utf16)
    }

    /// Byte offset of a 0-based line and UTF-16 column; out-of-range positions clamp
    /// to the end of the line or document.
    pub fn offset_of_utf16(&self, line: u32, column: u32) -> usize {
        let line = line as usize;
        if self.line_numbers.is_none() && line >= self.line_starts.len() {
            return self.text.len();
        }
        let range = self.line_range(line);
        let mut units = 0u32;
        for (i, c) in self.text[range.clone()].char_indices() {
            if units >= column {
                return range.start + i;
            }
            units += c.len_utf16() as u32;
        }
        range.end
    }
}

/// Lines up to this many bytes are shown whole in reports.
const WINDOW_WHOLE_LINE_BYTES: usize = 3000;
/// Characters shown either side of a finding on a longer line.
const WINDOW_CONTEXT: usize = 60;
/// Characters of the finding itself shown on a longer line.
const WINDOW_MARK: usize = 200;

/// What a report shows of a line: byte ranges in the text, and whether the line goes on
/// before or after what is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineWindow {
    pub shown: std::ops::Range<usize>,
    /// The finding's part of `shown`.
    pub mark: std::ops::Range<usize>,
    pub cut_before: bool,
    pub cut_after: bool,
}

/// An excerpt and where its lines came from.
pub struct Excerpt {
    pub source: SourceText,
    /// The document offset of each kept line's start.
    from: Vec<usize>,
}

impl Excerpt {
    /// The excerpt offset of a document offset on a kept line.
    pub fn map(&self, offset: usize) -> usize {
        let k = self
            .from
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.source.line_starts.get(k).copied().unwrap_or(0);
        (start + offset.saturating_sub(self.from.get(k).copied().unwrap_or(0)))
            .min(self.source.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_utf16_units() {
        let src = SourceText::new("第1条 目的\r\n𠮷野家は\n".to_string());
        let off = src.as_str().find('野').unwrap();
        assert_eq!(src.position(off), Position { line: 2, column: 2 });
        assert_eq!(src.utf16_position(off), (1, 2));
        assert_eq!(src.offset_of_utf16(1, 2), off);
        assert_eq!(src.line_text(0), "第1条 目的");
        assert_eq!(src.line_count(), 3);
        assert_eq!(src.offset_of_utf16(9, 0), src.as_str().len());
        // a column past the end of a line is the end of that line, before its line break
        assert_eq!(src.offset_of_utf16(0, 99), src.as_str().find('\r').unwrap());
        assert_eq!(src.offset_of_utf16(1, 99), src.as_str().len() - 1);
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line_as_the_protocol_says() {
        let src = SourceText::new("一行目\r二行目\r\n三行目\n四行目\r".to_string());
        assert_eq!(src.line_count(), 5);
        let lines: Vec<&str> = (0..4).map(|l| src.line_text(l)).collect();
        assert_eq!(lines, ["一行目", "二行目", "三行目", "四行目"]);
        let off = src.as_str().find('三').unwrap();
        assert_eq!(src.position(off), Position { line: 3, column: 1 });
        assert_eq!(src.utf16_position(off), (2, 0));
        assert_eq!(
            src.offset_of_utf16(1, 99),
            src.as_str().find("\r\n").unwrap()
        );
    }

    #[test]
    fn long_lines_count_columns_from_checkpoints() {
        let line = "個人情報𠮷a".repeat(5000);
        let src = SourceText::new(format!("前の行\n{line}\n後"));
        let start = src.as_str().find('\n').unwrap() + 1;
        for k in [0, 1, 7, 999, 4999] {
            let off = start + k * "個人情報𠮷a".len() + "個人".len();
            let prefix = &src.as_str()[start..off];
            assert_eq!(
                src.position(off),
                Position {
                    line: 2,
                    column: prefix.chars().count() + 1
                }
            );
            assert_eq!(
                src.utf16_position(off),
                (1, prefix.encode_utf16().count() as u32)
            );
        }
        assert_eq!(
            src.position(src.as_str().len()),
            Position { line: 3, column: 2 }
        );
    }

    #[test]
    fn long_lines_are_shown_as_a_window_around_the_finding() {
        let short = SourceText::new("第1条 目的\n".to_string());
        let w = short.line_window(0, 4..10);
        assert_eq!((w.shown, w.cut_before, w.cut_after), (0..14, false, false));
        let line = "あ".repeat(10_000) + "委託先" + &"い".repeat(10_000);
        let src = SourceText::new(line);
        let at = src.as_str().find("委託先").unwrap();
        let w = src.line_window(0, at..at + "委託先".len());
        assert!(w.cut_before && w.cut_after);
        assert_eq!(&src.as_str()[w.mark.clone()], "委託先");
        assert_eq!(
            src.as_str()[w.shown.start..w.mark.start].chars().count(),
            60
        );
        assert_eq!(src.as_str()[w.mark.end..w.shown.end].chars().count(), 60);
        let w = src.line_window(0, 0..src.as_str().len());
        assert!(!w.cut_before && w.cut_after);
        assert_eq!(src.as_str()[w.mark.clone()].chars().count(), 200);
    }

    #[test]
    fn excerpts_keep_positions_and_lines() {
        let src = SourceText::new("一行目\r\n二行目の本文\n三行目\n四行目\n".to_string());
        let at = src.as_str().find("本文").unwrap();
        let four = src.as_str().find("四").unwrap();
        let end = src.as_str().len();
        let ex = src.excerpt([at, four + 3, end]);
        for o in [at, four + 3, end] {
            assert_eq!(ex.source.position(ex.map(o)), src.position(o), "{o}");
        }
        assert_eq!(ex.source.line_text(1), "二行目の本文");
        assert_eq!(ex.source.line_text(3), "四行目");
        assert_eq!(ex.source.line_text(4), "");
        let line = ex.source.line_range(3);
        assert_eq!(&ex.source.as_str()[line], "四行目");
        let (text, numbers) = ex.source.excerpt_parts().unwrap();
        let back = SourceText::from_excerpt_parts(text.to_string(), numbers.to_vec()).unwrap();
        assert_eq!(back.position(ex.map(at)), src.position(at));
        assert!(SourceText::from_excerpt_parts("a\nb".into(), vec![3]).is_none());
    }
}
