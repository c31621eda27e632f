//! Source text: the decoded document and a line index that converts byte
//! offsets to the positions editors and terminals expect.

/// A 1-based line and column, as printed to users (column counts Unicode characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The document text with a per-line index, so that position conversion never
/// rescans the document.
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
}

impl SourceText {
    pub fn new(text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            text,
            line_starts,
            line_numbers: None,
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
        let column = self.text[self.line_starts[line]..offset].chars().count() + 1;
        Position {
            line: self.numbered(line) + 1,
            column,
        }
    }

    /// 0-based line and UTF-16 code-unit column, as the language server protocol counts.
    pub fn utf16_position(&self, offset: usize) -> (u32, u32) {
        let offset = self.clamp(offset);
        let line = self.index_of(offset);
        let column: usize = self.text[self.line_starts[line]..offset]
            .chars()
            .map(char::len_utf16)
            .sum();
        (self.numbered(line) as u32, column as u32)
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
