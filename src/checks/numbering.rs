//! `numbering`: gaps, duplicates and order of chapters, articles, paragraphs,
//! items and numbered headings.

use crate::resettable::Resettable;
use regex::Regex;

use crate::catalog::Severity;
use crate::diagnostic::{Bilingual, Code, CodeDoc, Diagnostic, Text};
use crate::document::Document;
use crate::structure::{LabelStyle, Structure, Unit, UnitKind};

/// What `numbering` finds and how to fix it (`kiyaku explain numbering`, docs/codes.md).
pub const DOC: CodeDoc = CodeDoc {
    code: Code::Numbering,
    title: Bilingual {
        ja: "番号の誤り",
        en: "Numbering",
    },
    what: Bilingual {
        ja: "条・項・号・章の番号に欠番・重複・順序の誤りがあります。",
        en: "Articles, paragraphs, items or chapters have gaps, duplicates or are out of order.",
    },
    details: Bilingual {
        ja: "条・項・号・章の欠番・重複・順序。「1.」「2.」と書いた項や、番号付きの見出しの下で入れ子になったリスト（字下げの有無を問わず）もそのように読みます。",
        en: "Gaps, duplicates and the order of 条, 項, 号 and 章. Paragraphs written 1. 2. and lists nested under numbered headings, indented or flat, are read as such.",
    },
    why: Bilingual {
        ja: "番号に欠けや重複があると、番号で引用したときに指す条項が一つに定まりません。欠番は、条項を誤って削除したり差し替えたりした跡であることもあります。",
        en: "With a gap or a duplicate, a citation by number no longer names one provision; a gap may also be the trace of a clause deleted or replaced by mistake.",
    },
    example: Bilingual {
        ja: "例: (5) の次に (6) が二つある → 後の方を (7) に直す。",
        en: "Example: two items numbered (6).",
    },
    fix: Bilingual {
        ja: "番号を振り直し、振り直した条項を参照している箇所（第N条、前条など）も合わせて直してください。",
        en: "Renumber, and correct the references to the renumbered provisions (第N条, 前条, …) with it.",
    },
};

pub fn check(doc: &Document) -> Vec<Diagnostic> {
    let s = &doc.structure;
    let mut out = Vec::new();
    // Articles count through the whole main provisions (chapters do not restart them),
    // and separately through the supplementary provisions.
    // Each 別紙 numbers its own.
    let annexes = s.units.iter().map(|u| u.annex).max().unwrap_or(0);
    for annex in 0..=annexes {
        for supplementary in [false, true] {
            let articles: Vec<&Unit> = s
                .units
                .iter()
                .filter(|u| {
                    u.kind == UnitKind::Article
                        && u.supplementary == supplementary
                        && u.annex == annex
                        && u.branch.is_none()
                })
                .collect();
            // one article alone is an article quoted from longer terms (a form that shows
            // 「第１７条　個人情報及びプライバシーの取り扱い」 of its 宿泊約款), not a run missing
            // its first sixteen
            if articles.len() > 1 {
                sequence(&articles, 1, &mut out);
            }
        }
    }
    let chapters: Vec<&Unit> = s
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Chapter)
        .collect();
    sequence(&chapters, 1, &mut out);
    for parent in std::iter::once(None).chain((0..s.units.len()).map(Some)) {
        siblings(s, doc.source.as_str(), parent, &mut out);
    }
    for u in s.units.iter().filter(|u| u.style == LabelStyle::Decimal) {
        out.extend(run_on(doc, u));
    }
    out
}

/// 「12.2 管轄は…とする。 12.3 本合意書に…」: the next number written inside the line of a
/// decimal heading, where a line break went missing.
fn run_on(doc: &Document, u: &Unit) -> Option<Diagnostic> {
    static NEXT: Resettable<Regex> =
        Resettable::new(|| Regex::new(r"[。.)]\s*([0-9]{1,2})\.([0-9]{1,2})\s").expect("static"));
    // over the normalised text, where full-width digits and brackets are ASCII
    let next = NEXT.get();
    let (major, minor) = u.label.split_once('.')?;
    let expected = (major.parse::<u32>().ok()?, minor.parse::<u32>().ok()? + 1);
    let line = doc.normalized_range(u.body_start.max(u.header.start)..u.header.end);
    let c = next
        .captures_iter(doc.normalized.text.get(line.clone())?)
        .find(|c| (c[1].parse(), c[2].parse()) == (Ok(expected.0), Ok(expected.1)))?;
    let label = doc.original(line.start + c.get(1)?.start()..line.start + c.get(2)?.end());
    let written = doc.source.as_str().get(label.clone())?;
    Some(Diagnostic::new(
        Code::Numbering,
        Severity::Warning,
        Text::new(
            format!(
                "「{written}」が「{}」と同じ行に続いています。改行が抜けているようです。",
                u.label
            ),
            format!(
                "{written} runs on in the line of {}: a line break seems to be missing.",
                u.label
            ),
        ),
        label,
    ))
}

/// Checks the children of one parent, grouped by kind and label style.
fn siblings(s: &Structure, text: &str, parent: Option<usize>, out: &mut Vec<Diagnostic>) {
    let children = s.children_of(parent);
    let mut groups: Vec<((UnitKind, crate::structure::LabelStyle), Vec<&Unit>)> = Vec::new();
    for &c in children {
        let u = &s.units[c];
        if matches!(
            u.kind,
            UnitKind::Article
                | UnitKind::Chapter
                | UnitKind::Supplementary
                | UnitKind::Annex
                | UnitKind::Section
                | UnitKind::Subsection
        ) || matches!(
            u.style,
            crate::structure::LabelStyle::Markdown | crate::structure::LabelStyle::Latin
        ) {
            continue;
        }
        let key = (u.kind, u.style);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(u),
            None => groups.push((key, vec![u])),
        }
    }
    for ((kind, _), units) in groups {
        if kind == UnitKind::Paragraph {
            paragraphs(s, &units, out);
        } else {
            for run in table_cells(text, &units) {
                sequence(run, 1, out);
            }
        }
    }
}

/// A table's row whose cell opens a list with its first number (「共同利用の管理責任者 | ①基本
/// 情報：…」): the entries after it number a list of their own, though the structure reads only
/// the later lines (②, ③) as items, the ① standing inside the row.
static CELL_OPENS_A_LIST: Resettable<Regex> = Resettable::new(|| {
    Regex::new(r"(?:\||｜|\t)[ \t\u{3000}]*(?:①|\(1\)|（１）|（1）|1[.)．]|１[.．)）])")
        .expect("static regex")
});

/// The units split where a table row between two of them opens a list of its own.
fn table_cells<'u>(text: &str, units: &'u [&'u Unit]) -> Vec<&'u [&'u Unit]> {
    let cell_opens_a_list = CELL_OPENS_A_LIST.get();
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..units.len() {
        let between = units[i - 1].header.end..units[i].header.start;
        if text
            .get(between)
            .is_some_and(|t| t.lines().skip(1).any(|l| cell_opens_a_list.is_match(l)))
        {
            runs.push(&units[start..i]);
            start = i;
        }
    }
    runs.push(&units[start..]);
    runs
}

/// Paragraphs start at 2 (the article's own text is paragraph 1) unless the first is
/// numbered 1.; a web page's list numbers written around the items of a paragraph
/// (「3. (1) …」) are skipped by the next paragraph's number.
fn paragraphs(s: &Structure, units: &[&Unit], out: &mut Vec<Diagnostic>) {
    let first = if units.first().is_some_and(|u| u.number == 1) {
        1
    } else {
        2
    };
    let mut expected = first;
    let mut seen: Vec<u32> = Vec::new();
    for u in units {
        report(u, expected, &seen, out);
        seen.push(u.number);
        let skipped = u
            .children
            .iter()
            .filter_map(|&c| s.units[c].list_number)
            .max()
            .unwrap_or(0);
        expected = expected.max(u.number.saturating_add(1)).max(skipped + 1);
    }
}

/// One list level: the number expected next and the numbers seen.
struct Level {
    expected: u32,
    seen: Vec<u32>,
}

fn sequence(units: &[&Unit], first: u32, out: &mut Vec<Diagnostic>) {
    // Lists that restart at 1 under a numbered line may be nested lists written flat
    // (1. 院内での利用 / 1. 医療サービス / 2. 医療保険事務 … / 2. 院外への提供): each restart
    // opens a level, and a number that continues an outer level closes the inner ones.
    let mut levels = vec![Level {
        expected: first,
        seen: Vec::new(),
    }];
    for (i, u) in units.iter().enumerate() {
        let n = u.number;
        if restartable(u) {
            let current = levels.last().expect("a level");
            if current.seen.is_empty() {
                // a list may continue one that the structure could not attach (（２） after a sub-list)
                levels.last_mut().expect("a level").expected = n;
            } else if n == first {
                levels.push(Level {
                    expected: first,
                    seen: Vec::new(),
                });
            } else if let Some(outer) = levels.iter().rposition(|l| l.expected == n) {
                levels.truncate(outer + 1);
            } else if let Some(outer) = closest_below(&levels, n) {
                // a gap: judged against the level whose next number is closest below
                levels.truncate(outer + 1);
            }
        }
        let level = levels.last_mut().expect("a level");
        // one number mistyped in a run (1. 2. 3. 8. 5. 6.): the next number goes on from the
        // one expected here, so this one is the slip, and the run goes on as if it were right
        let next = units.get(i + 1).map(|v| v.number);
        if n != level.expected
            && next == Some(level.expected.saturating_add(1))
            && !level.seen.contains(&level.expected)
        {
            out.push(misnumbered(u, level.expected));
            level.seen.push(level.expected);
            level.expected = level.expected.saturating_add(1);
            continue;
        }
        report(u, level.expected, &level.seen, out);
        level.seen.push(n);
        level.expected = level.expected.max(n.saturating_add(1));
    }
}

/// A number that breaks a run the numbers around it keep.
fn misnumbered(u: &Unit, expected: u32) -> Diagnostic {
    diag(
        u,
        Text::new(
            format!(
                "「{}」は番号の誤りと思われます（前後の番号からは{expected}番です）。",
                u.label
            ),
            format!(
                "{} looks misnumbered: the numbers around it make it number {expected}.",
                u.label
            ),
        ),
    )
}

/// The level whose expected number is the closest below `n`.
fn closest_below(levels: &[Level], n: u32) -> Option<usize> {
    levels
        .iter()
        .enumerate()
        .filter(|(_, l)| l.expected < n)
        .min_by_key(|(_, l)| n - l.expected)
        .map(|(i, _)| i)
}

/// Reports a duplicate, an out-of-order or a skipped number.
fn report(u: &Unit, expected: u32, seen: &[u32], out: &mut Vec<Diagnostic>) {
    let n = u.number;
    if seen.contains(&n) {
        out.push(diag(
            u,
            Text::new(
                if u.without_jo {
                    format!("「{}」が重複しています。", u.label)
                } else {
                    format!(
                        "「{}」が重複しています（{}の番号）。",
                        u.label,
                        u.kind.name_ja()
                    )
                },
                format!("Duplicate number {} ({}).", u.label, u.kind.name_ja()),
            ),
        ));
    } else if n < expected {
        out.push(diag(
            u,
            Text::new(
                format!("「{}」の位置が番号順ではありません。", u.label),
                format!("{} is out of order.", u.label),
            ),
        ));
    } else if n > expected {
        out.push(diag(
            u,
            Text::new(
                format!(
                    "番号が飛んでいます: {}の前に{}番がありません。",
                    u.label, expected
                ),
                format!(
                    "Numbering gap: {} comes where number {} was expected.",
                    u.label, expected
                ),
            ),
        ));
    }
}

/// Lists in notices restart their numbering; articles, paragraphs and chapters never do.
fn restartable(u: &Unit) -> bool {
    !matches!(
        u.kind,
        UnitKind::Article | UnitKind::Chapter | UnitKind::Paragraph
    ) && !u.supplementary
        && u.rank_is_list()
}

fn diag(u: &Unit, message: Text) -> Diagnostic {
    let end = if u.body_start > u.header.start && u.body_start <= u.header.end {
        u.body_start
    } else {
        u.header.end
    };
    Diagnostic::new(
        Code::Numbering,
        Severity::Warning,
        message,
        u.header.start..end,
    )
}
