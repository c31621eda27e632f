//! The text of a PDF's pages from the pieces of text the PDF draws and where it draws them:
//! pieces on one baseline make a printed line; running headers, footers and page numbers
//! are left out; a printed line that runs to the right edge of its column continues on
//! the next one (in the same column, the next column or the next page), so a wrapped
//! sentence is one line of text again, as the linter reads a paragraph. Each line of
//! text remembers where its pieces were printed (`PageMap`).
//!
//! Only geometry is used here, no PDF parsing, so every rule is tested on made-up pages.

/// A piece of text as the PDF draws it (one text-showing operator, roughly), in the order
/// of the page's content stream, which is the producer's reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// Left and right edge, in points.
    pub x0: f32,
    pub x1: f32,
    /// Bottom edge, in points from the bottom of the page (larger is higher).
    pub y: f32,
    /// Font size in points (the width of a full-width character).
    pub size: f32,
    pub text: String,
}

/// Where a line of the extracted text was printed: from `column` (1-based, in characters)
/// on, it is on `page` (1-based), on the page's `line` (1-based, counted in the page's
/// text without its running header and footer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Piece {
    pub column: u32,
    pub page: u32,
    pub line: u32,
}

/// For each line of a PDF's extracted text, the printed lines it was joined from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageMap {
    lines: Vec<Vec<Piece>>,
}

impl PageMap {
    /// The page and the line on the page of a 1-based (line, column) of the extracted text.
    pub fn place(&self, line: usize, column: usize) -> Option<(u32, u32)> {
        let pieces = self.lines.get(line.checked_sub(1)?)?;
        let piece = pieces
            .iter()
            .rev()
            .find(|p| p.column as usize <= column)
            .or(pieces.first())?;
        Some((piece.page, piece.line))
    }

    /// How many lines of text the map covers.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// A printed line, as assembled from spans.
#[derive(Debug, Clone)]
struct Line {
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    text: String,
    page: u32,
    /// The line's number on its page, once running headers and footers are left out.
    number: u32,
}

/// The text of `pages` (each a page's spans in content-stream order) and where each of
/// its lines was printed.
pub fn assemble(pages: &[Vec<Span>]) -> (String, PageMap) {
    let mut printed: Vec<Vec<Line>> = pages
        .iter()
        .enumerate()
        .map(|(i, spans)| lines_of(spans, i as u32 + 1))
        .collect();
    drop_running_lines(&mut printed);
    let mut text = String::new();
    let mut map = PageMap::default();
    let all: Vec<&Line> = printed.iter().flatten().collect();
    let mut current: Vec<Piece> = Vec::new();
    let mut columns = 0u32;
    for (i, line) in all.iter().enumerate() {
        let piece = Piece {
            column: columns + 1,
            page: line.page,
            line: line.number,
        };
        current.push(piece);
        let next = all
            .get(i + 1)
            .filter(|next| continues(line, next, &printed[line.page as usize - 1]));
        // a line that runs on keeps its trailing space (「10番1号　」 then 「株式会社」)
        let content = match next {
            Some(_) => line.text.as_str(),
            None => line.text.trim_end(),
        };
        text.push_str(content);
        columns += content.chars().count() as u32;
        match next {
            Some(next) => {
                if needs_space(content, &next.text) {
                    text.push(' ');
                    columns += 1;
                }
            }
            None => {
                text.push('\n');
                map.lines.push(std::mem::take(&mut current));
                columns = 0;
            }
        }
    }
    (text, map)
}

/// The printed lines of one page: consecutive spans on one baseline that go on to the
/// right are one line; a gap wider than a quarter of a character between two spans is a
/// space (table cells, words of Latin text).
/// Characters that end a line of text (the linter's and the page map's lines must agree).
const LINE_BREAKS: [char; 7] = [
    '\n', '\r', '\u{b}', '\u{c}', '\u{85}', '\u{2028}', '\u{2029}',
];

fn lines_of(spans: &[Span], page: u32) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for span in spans {
        if span.text.is_empty()
            || !(span.x0.is_finite() && span.x1.is_finite() && span.y.is_finite())
        {
            continue;
        }
        let size = if span.size.is_finite() && span.size > 0.0 {
            span.size
        } else {
            10.0
        };
        // a span's text may hold line breaks of its own (a damaged or odd content stream):
        // they are spaces, so that each printed line stays one line of the text
        let span_text = span.text.replace(LINE_BREAKS, " ");
        if let Some(line) = lines.last_mut() {
            let size_of_both = size.max(line.size);
            // punctuation is set in half its width (「。）」), so a span may start up to a
            // character to the left of where the line so far ends
            if (span.y - line.y).abs() < 0.5 * size_of_both && span.x0 >= line.x1 - size_of_both {
                let gap = span.x0 - line.x1;
                let joins_blank = line.text.ends_with(char::is_whitespace)
                    || span_text.starts_with(char::is_whitespace);
                if gap > 0.25 * size && !joins_blank {
                    line.text.push(' ');
                }
                line.text.push_str(&span_text);
                line.x1 = line.x1.max(span.x1);
                line.size = line.size.max(size);
                continue;
            }
        }
        lines.push(Line {
            x0: span.x0,
            x1: span.x1,
            y: span.y,
            size,
            text: span_text,
            page,
            number: 0,
        });
    }
    // blank printed lines (an empty paragraph printed as a no-break space) are no lines
    lines.retain(|l| !l.text.trim().is_empty());
    lines
}

/// How many of a page's first and last lines may be a running header or footer.
const RUNNING_BAND: usize = 2;

/// Leaves out the running headers and footers: among the two highest and two lowest lines
/// of a page, a line that is only a page number (「- 3 -」, 「3 / 12」, 「Page 3」, 「3頁」)
/// when it is the page's highest or lowest, or a line that recurs (its digits aside) at the
/// same height on other pages — on at least two pages, and on half of them. Then numbers
/// the remaining lines of each page.
fn drop_running_lines(pages: &mut [Vec<Line>]) {
    let key = |l: &Line| -> String {
        l.text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c.is_numeric() { '#' } else { c })
            .collect()
    };
    // the highest and lowest lines of the page, whatever the order they are drawn in (a
    // producer may draw the footer before a table); a short page has a band of one line at
    // either end, so that its body is never in it
    let band = |lines: &[Line]| -> Vec<usize> {
        let n = lines.len();
        let k = RUNNING_BAND.min(n / 3).max(1).min(n);
        let mut by_height: Vec<usize> = (0..n).collect();
        by_height.sort_by(|&a, &b| lines[b].y.total_cmp(&lines[a].y));
        let mut idx: Vec<usize> = by_height[..k].to_vec();
        idx.extend(&by_height[n.saturating_sub(k).max(k)..]);
        idx
    };
    // where each key is printed in the bands, page by page
    let mut seen: std::collections::HashMap<String, Vec<(usize, f32)>> = Default::default();
    for (p, lines) in pages.iter().enumerate() {
        for i in band(lines) {
            seen.entry(key(&lines[i]))
                .or_default()
                .push((p, lines[i].y));
        }
    }
    let needed = 2.max(pages.len().div_ceil(2));
    for (p, lines) in pages.iter_mut().enumerate() {
        let top = lines.iter().map(|l| l.y).fold(f32::MIN, f32::max);
        let bottom = lines.iter().map(|l| l.y).fold(f32::MAX, f32::min);
        let running: Vec<usize> = band(lines)
            .into_iter()
            .filter(|&i| {
                let line = &lines[i];
                let extreme = line.y == top || line.y == bottom;
                if extreme && is_page_number(&line.text) {
                    return true;
                }
                let others = seen.get(&key(line)).map_or(0, |places| {
                    let mut pages_at: Vec<usize> = places
                        .iter()
                        .filter(|(q, y)| *q != p && (y - line.y).abs() < line.size)
                        .map(|(q, _)| *q)
                        .collect();
                    pages_at.dedup();
                    pages_at.len()
                });
                others + 1 >= needed
            })
            .collect();
        let mut k = 0;
        lines.retain(|_| {
            let keep = !running.contains(&k);
            k += 1;
            keep
        });
        for (i, line) in lines.iter_mut().enumerate() {
            line.number = i as u32 + 1;
        }
    }
}

/// A line that is only a page number: 「3」「- 3 -」「－３－」「3 / 12」「Page 3」「p. 3」
/// 「3頁」「3ページ」「(3)」 is not (a list label on a line of its own is possible).
pub fn is_page_number(text: &str) -> bool {
    static PAGE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)^[\s\-－―—–‐]*(?:(?:page|p\.)\s*)?[0-9０-９]+(?:\s*[/／]\s*[0-9０-９]+)?\s*(?:頁|ページ)?[\s\-－―—–‐]*$|^[\s\-－―—–‐]*[ivxlc]+[\s\-－―—–‐]*$",
        )
        .expect("page number pattern")
    });
    PAGE.is_match(text)
}

/// Whether `line` runs on into `next`: it reaches the right edge of its column (within two
/// characters and a half: line breaking moves a character with the 「。」 after it to the
/// next line, and narrower punctuation leaves room), and `next`
/// starts no new article, paragraph or item, and follows it closely below in the same
/// column, or at the top of the next column or page.
fn continues(line: &Line, next: &Line, page: &[Line]) -> bool {
    if starts_with_label(&next.text) {
        return false;
    }
    // the right edge of the column: the furthest any line under or over this one reaches
    let edge = page
        .iter()
        .filter(|l| l.x0 < line.x1 && l.x1 > line.x0)
        .map(|l| l.x1)
        .fold(line.x1, f32::max);
    if edge - line.x1 > 2.5 * line.size {
        return false;
    }
    // a line that is most of the column's width wide, not a short one that happens to end
    // at the edge (a right-aligned date or signature)
    let width = page
        .iter()
        .filter(|l| l.x0 < line.x1 && l.x1 > line.x0)
        .map(|l| l.x1 - l.x0)
        .fold(0.0, f32::max);
    if line.x1 - line.x0 < 0.6 * width {
        return false;
    }
    if next.page != line.page {
        return true;
    }
    let below = line.y - next.y;
    if below > 0.0 {
        // the next line of the same column, not a block further down
        below < 2.2 * line.size && next.x0 < line.x1
    } else {
        // back up: the top of the next column
        next.x0 >= line.x1 - line.size
    }
}

/// Whether a printed line starts a new unit: 第N条/章/節, a paragraph number 「2　」, an item
/// 「（1）」「(1)」「一　」「①」「イ　」「1.」, a bullet 「・」, a party in the signatures
/// 「乙　」, or a Markdown-like heading.
fn starts_with_label(text: &str) -> bool {
    static LABEL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^\s*(?:第[0-9０-９一二三四五六七八九十百千]+[条章節款]|[0-9０-９]+(?:[\s　]|[.．、)）](?:[\s　]|\S))|[（(][0-9０-９一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+[\s　、]|[①-⑳]|[イロハニホヘトチリヌルヲ][\s　.．]|[・●■◆□○-]|[甲乙丙丁][\s　]|附\s*則|別\s*(?:紙|表)|以\s*上\s*$|#)",
        )
        .expect("label pattern")
    });
    LABEL.is_match(text)
}

/// A space where a line is joined to the next: between two Latin letters or digits (English
/// text wraps at spaces), never in Japanese.
fn needs_space(before: &str, after: &str) -> bool {
    let last = before.chars().next_back();
    let first = after.trim_start().chars().next();
    matches!((last, first), (Some(a), Some(b)) if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A span of full-width characters at `x` on the line whose bottom is `y`, size 10.
    fn span(x: f32, y: f32, text: &str) -> Span {
        let width = text.chars().count() as f32 * 10.0;
        Span {
            x0: x,
            x1: x + width,
            y,
            size: 10.0,
            text: text.to_string(),
        }
    }

    /// A page of lines starting at the left margin (x = 50), 18 points apart from y = 780.
    fn page(lines: &[&str]) -> Vec<Span> {
        lines
            .iter()
            .enumerate()
            .map(|(i, t)| span(50.0, 780.0 - 18.0 * i as f32, t))
            .collect()
    }

    const FULL: &str = "甲は乙に対し本業務を委託し乙はこれを受託する。本業務の内容は別に定め"; // 34 chars

    #[test]
    fn spans_on_a_baseline_make_a_line_and_a_gap_is_a_space() {
        let spans = vec![
            span(50.0, 700.0, "第1条"),
            span(80.0, 700.0, "（目的）"),
            span(300.0, 700.0, "甲"),
            span(50.0, 680.0, FULL),
        ];
        let (text, map) = assemble(&[spans]);
        assert_eq!(text, format!("第1条（目的） 甲\n{FULL}\n"));
        assert_eq!(map.place(2, 1), Some((1, 2)));
    }

    #[test]
    fn a_line_to_the_right_edge_runs_on_and_the_map_knows_both_lines() {
        let (text, map) = assemble(&[page(&[
            FULL,
            "るところによる。",
            "2　前項の規定は適用しない。",
        ])]);
        assert_eq!(
            text,
            format!("{FULL}るところによる。\n2　前項の規定は適用しない。\n")
        );
        assert_eq!(map.place(1, 1), Some((1, 1)));
        assert_eq!(map.place(1, 35), Some((1, 2)));
        assert_eq!(map.place(2, 3), Some((1, 3)));
    }

    #[test]
    fn a_short_line_or_a_new_label_does_not_run_on() {
        let (text, _) = assemble(&[page(&["短い行。", FULL, "第2条（定義）　この契約において"])]);
        assert_eq!(
            text,
            format!("短い行。\n{FULL}\n第2条（定義）　この契約において\n")
        );
        for label in [
            "（1）号",
            "2　項",
            "一　号",
            "①号",
            "イ　号",
            "・点",
            "1.項",
        ] {
            let (text, _) = assemble(&[page(&[FULL, label])]);
            assert_eq!(text.lines().count(), 2, "{label}");
        }
    }

    #[test]
    fn a_sentence_runs_on_across_a_page_break() {
        let (text, map) = assemble(&[page(&[FULL]), page(&["るところによる。"])]);
        assert_eq!(text, format!("{FULL}るところによる。\n"));
        assert_eq!(map.place(1, 36), Some((2, 1)));
    }

    /// Found by fuzzing: a span whose text holds line breaks gave the text more lines
    /// than the page map.
    #[test]
    fn line_breaks_inside_a_span_do_not_add_lines() {
        let (text, map) = assemble(&[page(&["第1条\n目的\r\u{2028}定め。"])]);
        assert_eq!(text.matches('\n').count(), map.len());
        assert!(!text.trim_end_matches('\n').contains(LINE_BREAKS));
    }

    #[test]
    fn page_numbers_and_running_headers_are_left_out() {
        let pages: Vec<Vec<Span>> = (1..=3)
            .map(|n| {
                let mut spans = vec![span(400.0, 810.0, "社外秘　業務委託契約書")];
                spans.extend(page(&[&format!("第{n}条　本文。")]));
                spans.push(span(280.0, 30.0, &format!("- {n} -")));
                spans
            })
            .collect();
        let (text, map) = assemble(&pages);
        assert_eq!(text, "第1条　本文。\n第2条　本文。\n第3条　本文。\n");
        assert_eq!(map.place(3, 1), Some((3, 1)));
    }

    #[test]
    fn a_title_on_one_page_is_no_running_header() {
        let mut spans = vec![span(200.0, 810.0, "業務委託契約書")];
        spans.extend(page(&["本文。"]));
        let (text, _) = assemble(&[spans]);
        assert_eq!(text, "業務委託契約書\n本文。\n");
    }

    #[test]
    fn two_columns_read_down_the_first_then_the_second() {
        let half = "甲は乙に対し本業務を委託し乙は"; // 15 chars: 150 points
        let mut spans = Vec::new();
        for (i, t) in [half, "これを受託する。", "2　前項。"].iter().enumerate() {
            spans.push(span(50.0, 780.0 - 18.0 * i as f32, t));
        }
        for (i, t) in [half, half, "これを受託する。"].iter().enumerate() {
            spans.push(span(220.0, 780.0 - 18.0 * i as f32, t));
        }
        let (text, map) = assemble(&[spans]);
        assert_eq!(
            text,
            format!("{half}これを受託する。\n2　前項。\n{half}{half}これを受託する。\n")
        );
        // the line of the page counts printed lines in reading order
        assert_eq!(map.place(3, 1), Some((1, 4)));
    }

    #[test]
    fn page_number_forms() {
        for yes in [
            "3",
            "- 3 -",
            "－３－",
            "3 / 12",
            "Page 3",
            "p. 3",
            "3頁",
            "iv",
        ] {
            assert!(is_page_number(yes), "{yes}");
        }
        for no in ["(3)", "第3条", "3　本文", "令和7年"] {
            assert!(!is_page_number(no), "{no}");
        }
    }

    #[test]
    fn latin_words_keep_their_space_when_a_line_runs_on() {
        assert!(needs_space("the", "agreement"));
        assert!(!needs_space("甲は", "乙に"));
    }
}
