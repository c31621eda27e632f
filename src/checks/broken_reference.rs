//! `broken-reference`: internal references (第N条第M項第K号, 前条, 前項, 前号,
//! 次の各号, list labels such as イ or ①, 前述1.1 a.) resolved against the
//! structure. References into other laws are not internal references.

use crate::resettable::Resettable;
use std::ops::Range;
use std::sync::Arc;

use regex::Regex;

use crate::catalog::Severity;
use crate::diagnostic::{Bilingual, Code, CodeDoc, Diagnostic, Text};
use crate::document::Document;
use crate::structure::{LabelStyle, Reference, Structure, UnitKind, Unresolved};

/// What `broken-reference` finds and how to fix it (`kiyaku explain broken-reference`, docs/codes.md).
pub const DOC: CodeDoc = CodeDoc {
    code: Code::BrokenReference,
    title: Bilingual {
        ja: "参照先の誤り",
        en: "Broken reference",
    },
    what: Bilingual {
        ja: "「第N条第M項」「前条」「同項」「イ」などの参照先が文書内に存在しないか、種類が違います。",
        en: "An internal reference (第N条第M項, 前条, 同項, a list label) points to nothing or to the wrong kind of unit.",
    },
    details: Bilingual {
        ja: "対象: 第N条第M項第K号、前条、前項、前号、次の各号、「イ」、前述1.1 a. などの参照。他の文書を引用した部分にある参照や、他の法令への参照（「個人情報保護法第27条」など）は、この文書の参照ではないため対象外です。",
        en: "The references read: 第N条第M項第K号, 前条, 前項, 前号, 次の各号, 「イ」, 前述1.1 a. A reference inside a quotation of another text, or into another law (個人情報保護法第27条), is not this document's and is left alone.",
    },
    why: Bilingual {
        ja: "参照先を誤った条項は、どの義務や例外を指しているのかが読み取れず、解釈の争いの種になります。条の追加・削除で番号がずれたあとに残りやすい誤りです。",
        en: "A clause that points at the wrong provision leaves open which duty or exception it means, which invites disputes over its reading; the mistake is typically left behind when articles are added or removed and the numbers shift.",
    },
    example: Bilingual {
        ja: "例: 第34条第1項第1号の細目が①②③なのに「イ」「ウ」を参照している → 「①」「②」に直す。",
        en: "Example: a reference to イ where the sub-items are ①②③.",
    },
    fix: Bilingual {
        ja: "参照している条・項・号を確かめ、正しい番号か記号に直してください。条を追加・削除した場合は、その後ろの条を参照している箇所もすべて見直してください。",
        en: "Find the provision meant and correct the number or label; after adding or removing an article, review every reference to the articles after it as well.",
    },
};

struct Patterns {
    relative: Regex,
    quoted_label: Regex,
    notice_ref: Regex,
}

fn patterns() -> Arc<Patterns> {
    static P: Resettable<Patterns> = Resettable::new(|| {
        Patterns {
        relative: Regex::new(r"前条|次条|前項|前号|次の各号|前各号").expect("static"),
        quoted_label: Regex::new(r"「([アイウエオカキクケコロハニホヘトチリヌ]|[①-⑳])[\s」]").expect("static"),
        notice_ref: Regex::new(r"前述\s*([0-9]+(?:\.[0-9]+)?)\s*(?:の)?\s*((?:[a-z]\.?\s*(?:から|~|〜|-|及び|、|,)?\s*)*)").expect("static"),
    }
    });
    P.get()
}

/// How far (bytes) a reference's sentence or parenthetical is looked into.
const MAX_SENTENCE: usize = 4096;

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A citation of another law or regulation, not of this document. A parenthetical
/// between the law's name and the article (法律施行条例（令和4年…）第3条) is skipped.
fn is_external(before: &str) -> bool {
    let trimmed = before.trim_end();
    if let Some(inner) = trimmed.strip_suffix(')') {
        let mut depth = 1;
        // a parenthetical is short: an unmatched 「)」 must not send every reference back
        // to the start of the document
        let from = floor_boundary(inner, inner.len().saturating_sub(MAX_SENTENCE));
        for (i, c) in inner[from..].char_indices().rev() {
            let i = from + i;
            match c {
                ')' => depth += 1,
                '(' => {
                    depth -= 1;
                    if depth == 0 {
                        return is_external_name(&inner[..i]);
                    }
                }
                _ => {}
            }
        }
    }
    // inside a parenthetical that follows another law's provisions: 旧条例第6章（第25条を除く。）
    let from = floor_boundary(before, before.len().saturating_sub(MAX_SENTENCE));
    if let Some(open) = before[from..].rfind('(').map(|i| from + i)
        && !before[open..].contains(')')
        && is_external_name(&before[..open])
    {
        return true;
    }
    is_external_name(before)
}

fn is_external_name(before: &str) -> bool {
    // 旧条例第5章及び第6章（第25条から…）: the parenthetical cites the law named before it;
    // the conjunctions also in kana (「GDPR第26条、第28条、および第29条」)
    static CITED: Resettable<Regex> = Resettable::new(|| {
        Regex::new(r"(?:第[0-9]+(?:章|節|款|条|項|号)(?:の[0-9]+)?|及び|および|並びに|ならびに|又は|または|、|から|まで|\s)+$")
            .expect("static")
    });
    let cited = CITED.get();
    let before = match cited.find(before) {
        Some(m) if m.start() < before.len() && before[m.range()].contains('第') => {
            &before[..m.start()]
        }
        _ => before,
    };
    let tail: String = before
        .chars()
        .rev()
        .take(14)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let tail = tail.trim_end();
    // 本規程第5条 and この規程第5条 are internal; 基本契約第5条 and 基本規程第3条 are not
    let own = |name: &str| {
        tail.strip_suffix(name).is_some_and(|before| {
            !before
                .chars()
                .next_back()
                .is_some_and(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
        })
    };
    if own("本規程") || tail.ends_with("この規程") || own("本契約") || own("本覚書") {
        return false;
    }
    crate::vocabulary::vocabulary()
        .broken_reference
        .other_instruments
        .iter()
        .any(|w| tail.ends_with(w.as_str()))
}

/// Whether a normalised offset lies in text written into another contract (「原契約第9条を
/// 次のとおり改める。」 and what follows): its references are that contract's.
fn amended(doc: &Document, normalized: usize) -> bool {
    let regions = &doc.structure.amended;
    !regions.is_empty() && {
        let at = doc.original(normalized..normalized).start;
        regions.iter().any(|r| r.contains(&at))
    }
}

pub fn check(doc: &Document) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let text = &doc.normalized.text;
    let s = &doc.structure;
    let has_articles = s.units.iter().any(|u| u.kind == UnitKind::Article);
    let p = patterns();
    if has_articles {
        // (end of the previous reference, whether it was external): 法第78条から第81条まで
        let mut previous: Option<(usize, bool)> = None;
        // in a 特記事項 numbered 第1, 第2 … without 条, 第N条 is another document's article
        let cites_own_articles = s
            .units
            .iter()
            .any(|u| u.kind == UnitKind::Article && !u.without_jo);
        for c in Reference::pattern()
            .captures_iter(text)
            .filter(|_| cites_own_articles)
        {
            let whole = c.get(0).expect("match");
            if amended(doc, whole.start()) {
                continue;
            }
            let continues_previous = previous.filter(|(end, _)| {
                let gap = text[*end..whole.start()].trim();
                gap.chars().count() <= 4
                    && [
                        "から",
                        "及び",
                        "並びに",
                        "又は",
                        "若しくは",
                        "、",
                        "・",
                        "及び同法",
                    ]
                    .contains(&gap)
            });
            let external = match continues_previous {
                Some((_, external)) => external,
                None => is_external(&text[..whole.start()]) || quoted(text, whole.start()),
            };
            previous = Some((whole.end(), external));
            if external {
                continue;
            }
            let here = doc.original(whole.range());
            // a 別紙 numbers its own articles, or cites the main provisions': not checked
            if s.innermost_at(here.start)
                .is_some_and(|i| s.units[i].annex > 0)
            {
                continue;
            }
            let Some(reference) = s.reference_at(&c, here.start) else {
                continue;
            };
            let Reference {
                article,
                branch,
                paragraph,
                item,
                supplementary,
            } = reference;
            match resolve(s, &reference) {
                Ok(target) => {
                    if let Some(item_index) = target.filter(|_| item.is_some()) {
                        check_quoted_labels(doc, item_index, whole.end(), &mut out);
                    }
                    // 第53条（損害賠償）: the caption cited must be the article's own
                    if let Some(target) = target.filter(|_| paragraph.is_none() && item.is_none()) {
                        let message = match cited_caption(&text[whole.end()..]) {
                            Some(cited) => caption_mismatch(s, target, cited),
                            None => cited_topic(&text[..whole.start()])
                                .and_then(|topic| topic_mismatch(doc, target, topic)),
                        };
                        if let Some(message) = message {
                            out.push(broken(here, message));
                        }
                    }
                }
                Err(_)
                    if paragraph.is_some_and(|pn| {
                        unnumbered_paragraphs_of(doc, article, branch, supplementary) >= pn
                    }) => {}
                Err(message) => out.push(broken(here, message)),
            }
        }
        for m in p.relative.find_iter(text) {
            if amended(doc, m.start()) {
                continue;
            }
            let here = doc.original(m.range());
            if let Some(message) = relative(doc, m.as_str(), here.start) {
                out.push(broken(here, message));
            }
        }
    }
    for c in p.notice_ref.captures_iter(text) {
        let whole = c.get(0).expect("match");
        let here = doc.original(whole.range());
        let label = &c[1];
        let heading = s.units.iter().position(|u| {
            u.label.trim_end_matches('.') == label
                && matches!(u.kind, UnitKind::Heading | UnitKind::Item)
        });
        let letters: Vec<char> = c.get(2).map_or(Vec::new(), |m| {
            m.as_str()
                .chars()
                .filter(char::is_ascii_lowercase)
                .collect()
        });
        // a label written as a bullet line (- 1.2 例外事項) exists too, without lettered items
        let labelled_line = heading.is_none()
            && text.lines().any(|l| {
                let l = l.trim_start_matches(|c: char| {
                    c.is_whitespace() || c == '-' || c == '・' || c == '*'
                });
                l.strip_prefix(label)
                    .is_some_and(|rest| rest.starts_with([' ', '.']) || rest.is_empty())
            });
        match heading {
            None if labelled_line => {
                if !letters.is_empty() {
                    let listed: Vec<String> = letters.iter().map(|l| format!("{l}.")).collect();
                    out.push(broken(here, Text::new(
                        format!("「{label}」に {} という項目がありません（項目に記号が付いていません）。", listed.join("、")),
                        format!("Section {label} has no items labelled {}.", listed.join(", ")),
                    )));
                }
            }
            None => out.push(broken(
                here,
                Text::new(
                    format!("参照先「{label}」がこの文書にありません。"),
                    format!("The referenced section {label} does not exist in this document."),
                ),
            )),
            Some(h) => {
                let missing: Vec<String> = letters
                    .iter()
                    .filter(|l| {
                        !s.units[h].children.iter().any(|&c| {
                            s.units[c].style == LabelStyle::Latin
                                && s.units[c].label.starts_with(**l)
                        })
                    })
                    .map(|l| format!("{l}."))
                    .collect();
                if !missing.is_empty() {
                    out.push(broken(here, Text::new(
                        format!("「{label}」に {} という項目がありません（項目に記号が付いていません）。", missing.join("、")),
                        format!("Section {label} has no items labelled {}.", missing.join(", ")),
                    )));
                }
            }
        }
    }
    out
}

/// The caption written right after a reference: 「第53条（損害賠償）所定の…」 → 損害賠償.
fn cited_caption(after: &str) -> Option<&str> {
    const MAX_CAPTION_BYTES: usize = 90;
    let rest = after
        .trim_start_matches([' ', '\u{3000}'])
        .strip_prefix('(')?;
    let close = rest.find(')')?;
    let caption = rest[..close].trim();
    (close <= MAX_CAPTION_BYTES && !caption.is_empty() && !caption.contains(['、', '。']))
        .then_some(caption)
}

/// 「共同利用については第7条」: the topic a reference is cited for, written just before it.
fn cited_topic(before: &str) -> Option<&str> {
    static TOPIC: Resettable<Regex> = Resettable::new(|| {
        Regex::new(
            r"([^\s、。,.「」()]{2,12})(?:については|に関しては|に関する事項は|の詳細は|の手続は)$",
        )
        .expect("static")
    });
    let topic = TOPIC.get();
    let from = floor_boundary(before, before.len().saturating_sub(64));
    topic
        .captures(&before[from..])
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// A reference cited for a topic that is another article's caption, and of which the
/// article referred to says nothing (neither in its caption nor in its text).
fn topic_mismatch(doc: &Document, target: usize, topic: &str) -> Option<Text> {
    let s = &doc.structure;
    let (unit, own) = article_of_another_topic(s, target, topic)?;
    let body = doc
        .normalized
        .text
        .get(doc.normalized_range(unit.span.clone()))?;
    if body.contains(topic) {
        return None;
    }
    let (_, elsewhere) = s.articles().find(|(i, u)| {
        *i != target
            && u.caption
                .as_deref()
                .is_some_and(|c| c == topic || c.contains(topic))
    })?;
    Some(Text::new(
        format!(
            "「{topic}」について参照している{}の見出しは「{own}」で、「{topic}」を定めていません。「{}」は{}です。",
            unit.label,
            elsewhere.caption.as_deref().unwrap_or(topic),
            elsewhere.label
        ),
        format!(
            "{} is cited for “{topic}” but is captioned “{own}” and does not deal with it; “{}” is {}.",
            unit.label,
            elsewhere.caption.as_deref().unwrap_or(topic),
            elsewhere.label
        ),
    ))
}

/// Whether two captions name the same thing: equal, one inside the other, or sharing
/// two characters in a row that are not kana (損害賠償 and 損害賠償責任; 秘密保持 and 秘密情報).
fn same_topic(a: &str, b: &str) -> bool {
    let strip = |s: &str| -> Vec<char> {
        s.chars()
            .filter(|c| {
                crate::normalize::is_word_char(*c) && !('\u{30A0}'..='\u{30FF}').contains(c)
            })
            .collect()
    };
    let (a, b) = (strip(a), strip(b));
    if a.len() < 2 || b.len() < 2 {
        // その他, 雑則: too short to compare by pieces
        return a.is_empty() || b.is_empty() || a == b;
    }
    let text_b: String = b.iter().collect();
    a.windows(2)
        .any(|w| text_b.contains(&w.iter().collect::<String>()))
}

/// The article `target` and its caption, when that caption is not about `topic`.
fn article_of_another_topic<'s>(
    s: &'s Structure,
    target: usize,
    topic: &str,
) -> Option<(&'s crate::structure::Unit, &'s str)> {
    let unit = &s.units[target];
    let own = unit
        .caption
        .as_deref()
        .filter(|_| unit.kind == UnitKind::Article)?;
    (!same_topic(topic, own)).then_some((unit, own))
}

/// 「第53条（損害賠償）」 where 第53条 is 存続条項: the caption names another article.
fn caption_mismatch(s: &Structure, target: usize, cited: &str) -> Option<Text> {
    let (unit, own) = article_of_another_topic(s, target, cited)?;
    let elsewhere = s
        .articles()
        .find(|(_, u)| u.caption.as_deref() == Some(cited))
        .or_else(|| {
            s.articles()
                .find(|(_, u)| u.caption.as_deref().is_some_and(|c| same_topic(cited, c)))
        })
        .map(|(_, u)| u.label.clone());
    let (hint_ja, hint_en) = match &elsewhere {
        Some(label) => (
            format!("「{cited}」は{label}です。"),
            format!(" “{cited}” is {label}."),
        ),
        None => (String::new(), String::new()),
    };
    Some(Text::new(
        format!(
            "{}の見出しは「{own}」で、「{cited}」ではありません。{hint_ja}",
            unit.label
        ),
        format!(
            "{} is captioned “{own}”, not “{cited}”.{hint_en}",
            unit.label
        ),
    ))
}

/// Inside 「…」 on its line: the words of another instrument being quoted (「実施機関（…第20条
/// 第1項において同じ。）」とあるのは), whose references are that instrument's.
fn quoted(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..at];
    match (before.rfind('「'), before.rfind('」')) {
        (Some(open), Some(close)) => open > close,
        (Some(_), None) => true,
        _ => false,
    }
}

fn broken(range: Range<usize>, message: Text) -> Diagnostic {
    Diagnostic::new(Code::BrokenReference, Severity::Warning, message, range)
}

/// Resolves 第N条(のB)(第M項)(第K号) to the deepest unit named, or explains why it fails.
fn resolve(s: &Structure, reference: &Reference) -> Result<Option<usize>, Text> {
    let article = reference.article;
    let label = match reference.branch {
        Some(b) => format!("第{article}条の{b}"),
        None => format!("第{article}条"),
    };
    match s.resolve(reference) {
        Ok(unit) => Ok(Some(unit)),
        Err(Unresolved::Article) => Err(Text::new(
            format!("参照先の{label}がこの文書にありません。"),
            format!("{label} does not exist in this document."),
        )),
        Err(Unresolved::Paragraph { .. }) => {
            let pn = reference.paragraph.unwrap_or_default();
            Err(Text::new(
                format!("{label}に第{pn}項がありません。"),
                format!("{label} has no paragraph {pn}."),
            ))
        }
        Err(Unresolved::Item { container }) => {
            let kn = reference.item.unwrap_or_default();
            Err(Text::new(
                format!("{}に第{kn}号がありません。", s.path_label(container)),
                format!("{} has no item {kn}.", s.path_label(container)),
            ))
        }
    }
}

/// After 第N条第M項第K号, labels quoted in the same sentence (「イ …」) must be sub-items of that item.
fn check_quoted_labels(doc: &Document, item: usize, from: usize, out: &mut Vec<Diagnostic>) {
    let text = &doc.normalized.text;
    // the sentence ends at 「。」; a text without one is searched a bounded way, not to its
    // end for every reference (which made long unpunctuated documents quadratic)
    let window = floor_boundary(text, from.saturating_add(MAX_SENTENCE).min(text.len()));
    let sentence_end = text[from..window].find('。').map_or(window, |i| from + i);
    let s = &doc.structure;
    let subs: Vec<&str> = s.units[item]
        .children
        .iter()
        .map(|&c| s.units[c].label.as_str())
        .collect();
    for c in patterns()
        .quoted_label
        .captures_iter(&text[from..sentence_end])
    {
        let m = c.get(1).expect("group");
        if subs.contains(&m.as_str()) {
            continue;
        }
        let range = doc.original(from + m.start()..from + m.end());
        let listed = if subs.is_empty() {
            "細目がありません".to_string()
        } else {
            format!("細目は{}です", subs.concat())
        };
        let listed_en = if subs.is_empty() {
            "has no sub-items".to_string()
        } else {
            format!("has sub-items {}", subs.join(" "))
        };
        out.push(broken(
            range,
            Text::new(
                format!(
                    "{}に「{}」はありません（{listed}）。",
                    s.path_label(item),
                    m.as_str()
                ),
                format!(
                    "{} has no sub-item {} ({listed_en}).",
                    s.path_label(item),
                    m.as_str()
                ),
            ),
        ));
    }
}

/// The articles of the part that holds article `a` (the main provisions, or 附則), in order:
/// 前条 and 次条 do not reach from one part into the other.
fn articles_of_part(s: &Structure, a: usize) -> impl Iterator<Item = usize> + '_ {
    let supplementary = s.units[a].supplementary;
    s.articles()
        .filter(move |(_, u)| u.supplementary == supplementary)
        .map(|(i, _)| i)
}

/// 前条 / 前項 / 前号 / 次の各号 / 前各号 checked from where they stand.
fn relative(doc: &Document, word: &str, at: usize) -> Option<Text> {
    let s = &doc.structure;
    let here = s.innermost_at(at)?;
    let find = |kind: UnitKind| s.ancestry(here).find(|&i| s.units[i].kind == kind);
    match word {
        "次条" => {
            let a = find(UnitKind::Article)?;
            (articles_of_part(s, a).last() == Some(a)).then(|| {
                Text::new(
                    "最後の条で「次条」を参照しています。",
                    "次条 (the next article) in the last article.",
                )
            })
        }
        "前各号" => {
            // 前各号 stands after a list: inside an item, or in a unit with items before it
            let in_item = find(UnitKind::Item).is_some();
            let article = find(UnitKind::Article)?;
            let items_before = s.units.iter().any(|u| {
                u.kind == UnitKind::Item
                    && u.span.start < at
                    && s.units[article].span.contains(&u.span.start)
            });
            (!in_item && !items_before).then(|| {
                Text::new(
                    "「前各号」とありますが、前に号がありません。",
                    "前各号 (the preceding items) but no items precede it.",
                )
            })
        }
        "前条" => {
            let a = find(UnitKind::Article)?;
            (articles_of_part(s, a).next() == Some(a)).then(|| {
                Text::new(
                    "最初の条で「前条」を参照しています。",
                    "前条 (the preceding article) in the first article.",
                )
            })
        }
        "前項" => {
            // in paragraph 1 (the article's own text, or a paragraph numbered 1.) there is no 前項
            let in_item = find(UnitKind::Item).is_some();
            let in_first = find(UnitKind::Paragraph).is_none_or(|p| s.units[p].number <= 1);
            let article = find(UnitKind::Article)?;
            // paragraphs written without numbers, one per line: an earlier one may be 前項;
            // so may a sentence before it on its own line when a page ran the paragraphs into
            // one line, each after 「。」 and a space (「…調査を行います。 前項の調査結果に
            // 基づき、…」)
            let unnumbered_before = find(UnitKind::Paragraph).is_none()
                && (unnumbered_paragraph_ends(doc, article, at) > 0
                    || paragraphs_run_together_before(doc, at));
            (in_first && !in_item && !unnumbered_before).then(|| {
                Text::new(
                    "第1項で「前項」を参照しています。",
                    "前項 (the preceding paragraph) in paragraph 1.",
                )
            })
        }
        "前号" => {
            let i = find(UnitKind::Item)?;
            (s.units[i].number == 1)
                .then(|| Text::new("第1号で「前号」を参照しています。", "前号 in item 1."))
        }
        "次の各号" => {
            let unit = s
                .ancestry(here)
                .find(|&i| matches!(s.units[i].kind, UnitKind::Paragraph | UnitKind::Article))?;
            let has_items = s.units[unit]
                .children
                .iter()
                .any(|&c| s.units[c].kind == UnitKind::Item);
            (!has_items && !unnumbered_items_follow(doc, at, s.units[unit].span.end)).then(|| {
                Text::new(
                    "「次の各号」とありますが、号が続いていません。",
                    "次の各号 (the following items) but no items follow.",
                )
            })
        }
        _ => None,
    }
}

/// How many lines of `article`'s own text before byte `until` hold a sentence (。) — when
/// the article has no numbered paragraph. Documents printed from Markdown or HTML (a PDF, a
/// page) and some drafts write each paragraph as a line of its own without a number; a
/// reference to 第2項 or 前項 there cannot be judged broken by the numbers alone.
fn unnumbered_paragraph_ends(doc: &Document, article: usize, until: usize) -> u32 {
    let s = &doc.structure;
    let unit = &s.units[article];
    if unit
        .children
        .iter()
        .any(|&c| s.units[c].kind == UnitKind::Paragraph)
    {
        return 0;
    }
    let text = doc.source.as_str();
    let end = s.own_end(unit).min(until).min(text.len());
    let start = floor_boundary(text, unit.span.start.min(end));
    let end = floor_boundary(text, end);
    let (heading_line, body) = text[start..end]
        .split_once('\n')
        .unwrap_or((&text[start..end], ""));
    // the first paragraph may stand on the heading line, after the caption (「第6条（個人情報の
    // 開示） 当社は、…開示します。」)
    let heading_end = start + heading_line.len();
    let body_start = floor_boundary(text, unit.body_start.clamp(start, heading_end));
    // a line that holds a sentence is a paragraph, also when the page ran the first item of
    // its list onto it (「…提供することはありません。 人の生命、…困難であるとき」)
    let on_heading_line = text[body_start..heading_end].contains('。');
    let below = body.lines().filter(|l| l.contains('。')).count();
    (below + usize::from(on_heading_line))
        .try_into()
        .unwrap_or(u32::MAX)
}

/// Whether the line of byte `at` holds, before it, a sentence that ends in 「。」 followed by
/// a space: the paragraphs of an article that a page ran into one line.
fn paragraphs_run_together_before(doc: &Document, at: usize) -> bool {
    let text = doc.source.as_str();
    let at = floor_boundary(text, at.min(text.len()));
    let line = doc.source.line_range(doc.source.line_of(at));
    let before = &text[line.start.min(at)..at];
    before.contains("。 ") || before.contains("。\u{3000}")
}

/// The paragraphs an article without numbered paragraphs writes one per line (see
/// `unnumbered_paragraph_ends`); 0 when it has numbered ones or does not exist.
fn unnumbered_paragraphs_of(
    doc: &Document,
    article: u32,
    branch: Option<u32>,
    supplementary: bool,
) -> u32 {
    doc.structure
        .article(article, branch, supplementary)
        .map_or(0, |a| unnumbered_paragraph_ends(doc, a, usize::MAX))
}

/// 「次の各号…」 followed by a bulleted list (・ - *) instead of numbered items, or by lines
/// that are no sentence (「法令に違反する行為」「システム保守、障害対応」): list items whose
/// markers a page's or a word processor's markup drew, lost when its text was copied.
fn unnumbered_items_follow(doc: &Document, at: usize, end: usize) -> bool {
    let text = doc.source.as_str();
    let end = floor_boundary(text, end.min(text.len()));
    let Some(line_end) = text[at.min(end)..end].find('\n') else {
        return false;
    };
    text[at + line_end..end]
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty())
        .is_some_and(|l| {
            l.starts_with(['・', '-', '*', '•', '●', '○']) || !l.trim_end().ends_with('。')
        })
}
