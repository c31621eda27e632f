//! The checking engine: decides a document's kind, judges every applicable
//! catalog item, runs the consistency checks, and produces one report per file.
//! Shared by the command line and the language server.

use crate::resettable::Resettable;
use std::ops::Range;

use crate::catalog::{Catalog, Catalogs, Item, Severity};
use crate::checks;
use crate::diagnostic::{Code, Diagnostic, Edit, Fix, Language, Related, Text};
use crate::document::Document;
use crate::kind::{self, DocumentKind, KindSource};
use crate::matcher::{self, Status, TermIndex};
use crate::structure::UnitKind;

/// One catalog item's status in a document, as listed in the JSON output.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ItemResult {
    pub id: String,
    pub status: Status,
    /// 1-based first and last line where the item was found.
    pub lines: Option<[usize; 2]>,
    /// For a missing item: the nearest clause and what it lacked.
    pub evidence: Option<Evidence>,
}

/// Why an item was judged missing: the clause that came nearest (none for an item looked
/// for across the whole document) and the concepts it lacked, each named by its first
/// terms in the catalog (an empty list for a group of patterns: an address, a number …).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    /// 1-based line of the nearest clause; `None` when the item is looked for document-wide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The nearest clause, cut to 80 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub lacking: Vec<Vec<String>>,
    /// Every concept is there, but said as an effort (努める) or with an excluded term.
    pub excluded: bool,
    /// For an item required only where its condition is raised (joint use, transfer
    /// abroad): the words that raised it, so that the drafter sees why it is asked for.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trigger: Option<Trigger>,
}

/// Where an item's condition is raised in the document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Trigger {
    /// 1-based line.
    pub line: usize,
    /// The words that raised it, as written.
    pub text: String,
}

impl Evidence {
    fn of(
        document: &Document,
        item: &Item,
        nearest: &matcher::Nearest,
        trigger: Option<&Range<usize>>,
    ) -> Self {
        let whole_document = nearest.at.is_empty();
        let lacking = nearest
            .lacking
            .iter()
            .map(|&g| {
                item.match_spec.all[g]
                    .iter()
                    .filter(|t| !t.starts_with("re:"))
                    .take(3)
                    .cloned()
                    .collect()
            })
            .collect();
        let text = document.source.as_str();
        let clause = (!whole_document).then(|| {
            let at = nearest.at.start.min(text.len())..nearest.at.end.min(text.len());
            let clause = text.get(at).unwrap_or_default().trim();
            let mut cut: String = clause.chars().take(80).collect();
            if cut.len() < clause.len() {
                cut.push('…');
            }
            cut.replace('\n', " ")
        });
        Evidence {
            line: (!whole_document).then(|| document.source.position(nearest.at.start).line),
            text: clause,
            lacking,
            excluded: nearest.excluded,
            trigger: trigger.map(|r| Trigger {
                line: document.source.position(r.start).line,
                text: document
                    .source
                    .as_str()
                    .get(r.clone())
                    .unwrap_or_default()
                    .chars()
                    .take(40)
                    .collect(),
            }),
        }
    }

    /// The related-information line that says what raised a conditional item, if it is one.
    fn trigger_related(&self, path: &str) -> Option<Related> {
        let trigger = self.trigger.as_ref()?;
        Some(Related {
            message: Text::new(
                format!("「{}」の記載があるため、この条項が必要です", trigger.text),
                format!("Required because the document says “{}”", trigger.text),
            ),
            location: Some((path.to_string(), trigger.line)),
        })
    }

    /// The related-information line a missing-clause finding carries.
    fn related(&self, path: &str) -> Related {
        let named = |lang_ja: bool| -> String {
            let groups: Vec<String> = self
                .lacking
                .iter()
                .map(|g| {
                    if g.is_empty() {
                        if lang_ja {
                            "具体的な記載（住所・番号・氏名など）".to_string()
                        } else {
                            "a concrete value (an address, a number, a name …)".to_string()
                        }
                    } else if lang_ja {
                        g.iter()
                            .map(|t| format!("「{t}」"))
                            .collect::<Vec<_>>()
                            .join("")
                    } else {
                        g.iter()
                            .map(|t| format!("“{t}”"))
                            .collect::<Vec<_>>()
                            .join(" / ")
                    }
                })
                .collect();
            let mut unique: Vec<String> = Vec::new();
            for g in groups {
                if !unique.contains(&g) {
                    unique.push(g);
                }
            }
            unique.join(if lang_ja { "、" } else { "; " })
        };
        let message = match (&self.text, self.excluded) {
            (Some(clause), true) => Text::new(
                format!(
                    "最も近い箇所「{clause}」は、努力義務などの表現か除外される語のため数えていません"
                ),
                format!(
                    "Nearest clause “{clause}” is worded as an effort or holds an excluded term, so it does not count"
                ),
            ),
            (Some(clause), false) => Text::new(
                format!(
                    "最も近い箇所「{clause}」には、{}にあたる記載がありません",
                    named(true)
                ),
                format!("Nearest clause “{clause}” lacks {}", named(false)),
            ),
            (None, _) => Text::new(
                format!("文書中に{}にあたる記載がありません", named(true)),
                format!("The document nowhere states {}", named(false)),
            ),
        };
        Related {
            message,
            location: self.line.map(|l| (path.to_string(), l)),
        }
    }
}

/// Everything kiyaku found in one document.
pub struct FileReport {
    pub path: String,
    pub kind: DocumentKind,
    pub kind_source: KindSource,
    pub items: Vec<ItemResult>,
    pub diagnostics: Vec<Diagnostic>,
    /// Amounts and periods the document states, compared across documents.
    pub values: Vec<checks::value_mismatch::StatedValue>,
    pub document: Document,
    /// For a document extracted from a .docx: the 1-based paragraph of each line.
    pub paragraphs: Option<Vec<u32>>,
    /// For a document extracted from a .pdf: the page and line on the page of each line.
    pub pages: Option<crate::extract::pdf::PageMap>,
}

impl FileReport {
    /// The report without its document, for the command line, which keeps every file's
    /// report until the end of the run: only the lines the findings point at are kept
    /// (`SourceText::excerpt`), and every range is re-based onto that excerpt.
    pub fn compact(self) -> FileReport {
        let source = &self.document.source;
        let mut offsets = Vec::new();
        for d in &self.diagnostics {
            offsets.extend([d.range.start, d.range.end]);
            for e in d.fix.iter().flat_map(|f| &f.edits) {
                offsets.extend([e.range.start, e.range.end]);
            }
        }
        for v in &self.values {
            offsets.extend([v.range.start, v.range.end]);
        }
        let excerpt = source.excerpt(offsets);
        let map = |r: &mut Range<usize>| *r = excerpt.map(r.start)..excerpt.map(r.end);
        let mut diagnostics = self.diagnostics;
        for d in &mut diagnostics {
            map(&mut d.range);
            for e in d.fix.iter_mut().flat_map(|f| &mut f.edits) {
                map(&mut e.range);
            }
        }
        let mut values = self.values;
        for v in &mut values {
            map(&mut v.range);
        }
        FileReport {
            path: self.path,
            kind: self.kind,
            kind_source: self.kind_source,
            items: self.items,
            diagnostics,
            values,
            document: Document::excerpt(excerpt.source),
            paragraphs: self.paragraphs,
            pages: self.pages,
        }
    }
}

/// What the configuration says of whole diagnostic codes: codes disabled (their findings are
/// suppressed, and still listed in JSON) and severities by code (an item's own wins).
#[derive(Debug, Clone, Default)]
pub struct CodeOverrides {
    pub disabled: Vec<Code>,
    pub severity: Vec<(Code, Severity)>,
    /// Items whose severity the configuration sets by their id.
    pub items_with_severity: Vec<String>,
}

impl CodeOverrides {
    /// Applies the overrides; applying them twice changes nothing, so findings across
    /// documents, added after each document's check, go through it too.
    pub fn apply(&self, diagnostics: &mut [Diagnostic]) {
        for d in diagnostics {
            if let Some(&(_, severity)) = self.severity.iter().find(|(c, _)| *c == d.code)
                && d.item
                    .as_ref()
                    .is_none_or(|i| !self.items_with_severity.contains(i))
            {
                d.severity = severity;
            }
            if d.suppressed.is_none() && self.disabled.contains(&d.code) {
                d.suppressed = Some(format!("{} disabled in the configuration", d.code.as_str()));
            }
        }
    }
}

/// The catalogs and settings in force for a run.
pub struct Engine {
    pub catalogs: Catalogs,
    /// Disabled codes and severities by code, from the configuration.
    pub codes: CodeOverrides,
    /// Kind mapping from the configuration: (glob, kind, folder the glob is relative to),
    /// first match wins.
    pub kind_globs: Vec<(globset::GlobMatcher, DocumentKind, std::path::PathBuf)>,
    /// The configuration's `notices-at-acquisition`: (glob, folder it is relative to). A
    /// matching file is the notice given at acquisition, as its directive would say.
    pub acquisition_globs: Vec<(globset::GlobMatcher, std::path::PathBuf)>,
    /// The configuration's `language`, which the language server follows unless the
    /// client's settings name one.
    pub language: Option<crate::diagnostic::Language>,
    /// The terms of the catalogs that apply to each kind of document: a document is
    /// searched for those alone (a contract, for the consignment catalog's terms). Each
    /// set is built when a document of its kind is first judged: a run whose results are
    /// all cached, or that checks one kind of document, builds none or one.
    terms: [std::sync::OnceLock<matcher::TermSet>; 4],
}

impl Engine {
    pub fn new(catalogs: impl Into<Catalogs>) -> Self {
        let catalogs = catalogs.into();
        Self {
            terms: Default::default(),
            catalogs,
            codes: CodeOverrides::default(),
            kind_globs: Vec::new(),
            acquisition_globs: Vec::new(),
            language: None,
        }
    }

    /// Checks one document. `kind_override` is `--kind` or the editor's setting.
    pub fn check(
        &self,
        path: &str,
        text: String,
        kind_override: Option<DocumentKind>,
    ) -> FileReport {
        self.check_document(path, Document::new(text), kind_override)
    }

    /// Checks a prepared document (the language server prepares it with a token cache).
    pub fn check_document(
        &self,
        path: &str,
        document: Document,
        kind_override: Option<DocumentKind>,
    ) -> FileReport {
        self.check_prepared(path, document, kind_override, false)
    }

    /// Like `check_document`, with the catalogs' judgement and the consistency checks run
    /// side by side on rayon's threads: the language server, where the latency of one
    /// document is what counts. The report is the same, to the order of its findings.
    pub fn check_document_in_parallel(
        &self,
        path: &str,
        document: Document,
        kind_override: Option<DocumentKind>,
    ) -> FileReport {
        self.check_prepared(path, document, kind_override, true)
    }

    fn check_prepared(
        &self,
        path: &str,
        mut document: Document,
        kind_override: Option<DocumentKind>,
        parallel: bool,
    ) -> FileReport {
        let mut diagnostics = Vec::new();
        // the file's absolute path, for the configuration's globs: looked up once, if asked
        let absolute = std::cell::OnceCell::new();
        let absolute = || {
            absolute
                .get_or_init(|| std::fs::canonicalize(path).ok())
                .as_deref()
        };
        let declared = self.declared_at_acquisition(path, &document, absolute, &mut diagnostics);
        let (kind, kind_source) = self.decide_kind(
            path,
            &document,
            kind_override,
            declared,
            absolute,
            &mut diagnostics,
        );
        // a document that is none of the three (a memo, a README) is not linted at all
        let findings = || match (kind, parallel) {
            (DocumentKind::Unknown, _) => Vec::new(),
            (_, false) => checks::run(&document),
            (_, true) => checks::run_parallel(&document),
        };
        // the values compared across documents are read beside the checks
        let values = || checks::value_mismatch::extract(&document);
        let consistency = || {
            if parallel {
                rayon::join(findings, values)
            } else {
                (findings(), values())
            }
        };
        let ((items, judged), (consistency, values)) = if parallel {
            rayon::join(
                || self.judge_catalogs(path, &document, kind, declared.is_some()),
                consistency,
            )
        } else {
            (
                self.judge_catalogs(path, &document, kind, declared.is_some()),
                consistency(),
            )
        };
        diagnostics.extend(judged);
        diagnostics.extend(consistency);
        // the only finding of a document of no kind is the hint that says how to name its
        // kind if it is one
        if kind == DocumentKind::Unknown {
            let first = document.source.line_range(0);
            diagnostics.push(Diagnostic::new(
                Code::UnknownKind,
                Severity::Info,
                Text::new(
                    "文書の種類（個人情報保護方針・規程・委託契約）を判定できませんでした。`--kind` か `<!-- kiyaku: kind=… -->` で指定してください。",
                    "Could not tell what kind of document this is; set it with --kind or <!-- kiyaku: kind=… -->.",
                ),
                first,
            ));
        }
        let comments = crate::suppress::Comments::read(&document.source, |id| {
            self.catalogs.item(id).is_some()
        });
        diagnostics.extend(comments.problems.iter().cloned());
        diagnostics.sort_by_key(|a| (a.range.start, a.code));
        self.codes.apply(&mut diagnostics);
        comments.apply(&mut diagnostics);
        // the report outlives the analysis; the open document keeps the memos itself, and
        // its memos of the tokens and sentences are changed in place by the next analysis
        // when no report holds them (the language server's features do not read them)
        if document.rescans.take().is_some() {
            document.tokens = Default::default();
            document.sentences = Default::default();
        }
        FileReport {
            path: path.to_string(),
            kind,
            kind_source,
            items,
            diagnostics,
            values,
            document,
            paragraphs: None,
            pages: None,
        }
    }

    /// The terms of the catalogs that apply to `kind`, compiled.
    fn term_set(&self, kind: DocumentKind) -> matcher::TermSet {
        matcher::TermSet::new(self.catalogs.iter().filter(|c| c.applies_to(kind)))
    }

    /// The verdict on each item of the catalogs that apply to `kind`, and the findings of
    /// the items missing or contradicted.
    /// `at_acquisition`: the document is declared the notice given at acquisition, which a
    /// sectioned catalog judges whole.
    fn judge_catalogs(
        &self,
        path: &str,
        document: &Document,
        kind: DocumentKind,
        at_acquisition: bool,
    ) -> (Vec<ItemResult>, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut items = Vec::new();
        // The set is compiled (on rayon's pool) before the cell is entered, never inside it: a
        // thread that waited in the cell for another's compile could be holding a task that
        // compile waits for, once rayon's threads take up each other's work while they wait.
        // Two checks of a new kind at once may each compile a set; the first one stored is used.
        let terms = match self.terms[kind.index()].get() {
            Some(terms) => terms,
            None => {
                let built = self.term_set(kind);
                self.terms[kind.index()].get_or_init(|| built)
            }
        };
        let mut index = TermIndex::new(document, terms);
        let contract =
            (kind == DocumentKind::ConsignmentContract).then(|| ContractLayout::of(document));
        for catalog in self.catalogs.iter().filter(|c| c.applies_to(kind)) {
            let sections = matcher::catalog_sections(&mut index, catalog, at_acquisition);
            // a clause missing from a section belongs at the end of that section
            let section = sections
                .as_ref()
                .and_then(|s| s.first())
                .map(|s| document.original(s.clone()));
            for (item, verdict) in catalog.items.iter().zip(matcher::judge_catalog(
                &mut index,
                catalog,
                sections.as_deref(),
            )) {
                let id = catalog.full_id(item);
                let lines = verdict.found.as_ref().map(|r| {
                    let start = document.source.position(r.start).line;
                    let end = document
                        .source
                        .position(r.end.saturating_sub(1).max(r.start))
                        .line;
                    [start, end]
                });
                let evidence = verdict
                    .nearest
                    .as_ref()
                    .map(|n| Evidence::of(document, item, n, verdict.trigger.as_ref()));
                match verdict.status {
                    Status::Missing => {
                        let mut d = missing_clause(
                            document,
                            catalog,
                            item,
                            &id,
                            kind,
                            section.clone(),
                            contract.as_ref(),
                        );
                        // after the regulation's provision that requires the item, if any
                        if let Some(e) = &evidence {
                            let at = usize::from(item.source.is_some()).min(d.related.len());
                            d.related.insert(at, e.related(path));
                            if let Some(r) = e.trigger_related(path) {
                                d.related.insert(at + 1, r);
                            }
                        }
                        diagnostics.push(d);
                    }
                    Status::Conflict => {
                        let c = &item.conflicts[verdict.conflict.unwrap_or(0)];
                        let mut d = Diagnostic::new(
                            Code::ConflictingClause,
                            Severity::Error,
                            Text::new(
                                format!("「{}」に反する条項です: {}", item.title, c.message),
                                format!(
                                    "Clause contradicts “{}”: {}",
                                    item.title(Language::En),
                                    c.message_en.as_deref().unwrap_or(&c.message)
                                ),
                            ),
                            verdict.found.clone().unwrap_or(0..0),
                        );
                        d.item = Some(id.clone());
                        d.related = basis_related(item);
                        diagnostics.push(d);
                    }
                    _ => {}
                }
                items.push(ItemResult {
                    id,
                    status: verdict.status,
                    lines,
                    evidence,
                });
            }
        }
        (items, diagnostics)
    }

    /// The document's kind and what decided it; `declared` is how the document is declared
    /// the notice given at acquisition, if it is (a privacy notice, unless a kind is named).
    fn decide_kind<'p>(
        &self,
        path: &str,
        document: &Document,
        kind_override: Option<DocumentKind>,
        declared: Option<KindSource>,
        absolute: impl Fn() -> Option<&'p std::path::Path>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> (DocumentKind, KindSource) {
        if let Some(k) = kind_override {
            return (k, KindSource::Override);
        }
        match kind::directive(document.source.as_str()) {
            Some((Ok(k), _)) => return (k, KindSource::Directive),
            Some((Err(name), range)) => diagnostics.push(Diagnostic::new(
                Code::InvalidDirective,
                Severity::Warning,
                Text::new(
                    format!("文書の種類「{name}」は不明です（privacy-notice, regulation, consignment-contract のいずれか）。"),
                    format!("Unknown document kind `{name}` (privacy-notice, regulation or consignment-contract)."),
                ),
                range,
            )),
            None => {}
        }
        if declared == Some(KindSource::Directive) {
            return (DocumentKind::PrivacyNotice, KindSource::Directive);
        }
        if let Some((_, k, _)) = self
            .kind_globs
            .iter()
            .find(|(g, _, root)| glob_matches(path, absolute(), g, root))
        {
            return (*k, KindSource::Config);
        }
        if declared == Some(KindSource::Config) {
            return (DocumentKind::PrivacyNotice, KindSource::Config);
        }
        (
            kind::detect(&document.source, &document.structure),
            KindSource::Detected,
        )
    }

    /// How a document is declared the notice given at acquisition, if it is: by its
    /// directive (a `notice=` naming anything else is reported), or by the configuration's
    /// `notices-at-acquisition`.
    fn declared_at_acquisition<'p>(
        &self,
        path: &str,
        document: &Document,
        absolute: impl Fn() -> Option<&'p std::path::Path>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<KindSource> {
        match kind::notice_directive(document.source.as_str()) {
            Some((Ok(()), _)) => return Some(KindSource::Directive),
            Some((Err(name), range)) => diagnostics.push(Diagnostic::new(
                Code::InvalidDirective,
                Severity::Warning,
                Text::new(
                    format!("「notice={name}」は不明です（指定できるのは notice=at-acquisition です）。"),
                    format!("Unknown notice `{name}` (the one that can be declared is notice=at-acquisition)."),
                ),
                range,
            )),
            None => {}
        }
        self.acquisition_globs
            .iter()
            .any(|(g, root)| glob_matches(path, absolute(), g, root))
            .then_some(KindSource::Config)
    }
}

/// Whether a configuration glob, relative to `root`, matches a checked file (its `absolute`
/// path under `root`, or the path as given when it is not there).
fn glob_matches(
    path: &str,
    absolute: Option<&std::path::Path>,
    glob: &globset::GlobMatcher,
    root: &std::path::Path,
) -> bool {
    match absolute.and_then(|a| a.strip_prefix(root).ok()) {
        Some(relative) => glob.is_match(relative),
        None => glob.is_match(path),
    }
}

/// Adds `value-mismatch` diagnostics between documents checked together.
pub fn cross_check(reports: &mut [FileReport]) {
    let line_fns: Vec<Box<dyn Fn(usize) -> usize + '_>> = reports
        .iter()
        .map(|r| {
            Box::new(move |o: usize| r.document.source.position(o).line)
                as Box<dyn Fn(usize) -> usize>
        })
        .collect();
    let inputs: Vec<checks::value_mismatch::DocumentValues<'_>> = reports
        .iter()
        .zip(&line_fns)
        .map(|(r, f)| checks::value_mismatch::DocumentValues {
            path: &r.path,
            kind: r.kind,
            values: &r.values,
            line_of: f.as_ref(),
        })
        .collect();
    let added = checks::value_mismatch::cross_check(&inputs);
    drop(inputs);
    drop(line_fns);
    for (report, mut diagnostics) in reports.iter_mut().zip(added) {
        report.diagnostics.append(&mut diagnostics);
        report.diagnostics.sort_by_key(|d| (d.range.start, d.code));
    }
}

fn basis_related(item: &Item) -> Vec<Related> {
    let mut related: Vec<Related> = item
        .basis
        .iter()
        .map(|b| Related {
            message: Text::new(format!("根拠: {b}"), format!("Basis: {b}")),
            location: None,
        })
        .collect();
    if let Some(source) = &item.source {
        related.insert(
            0,
            Related {
                message: Text::new(
                    format!("{}で契約に定めることが求められています", source.provision),
                    format!("Required by {}", source.provision),
                ),
                location: Some((source.path.clone(), source.line)),
            },
        );
    }
    related
}

/// Where a missing clause belongs: the section its hint names; else, in a notice, the end of
/// the preamble (where the business introduces itself), and elsewhere before 附則 or at the end.
/// Returns the range to underline and the offset where the model clause is inserted.
fn anchor(document: &Document, item: &Item, kind: DocumentKind) -> (Range<usize>, usize) {
    let s = &document.structure;
    let hinted = s.units.iter().find(|u| {
        matches!(u.kind, UnitKind::Article | UnitKind::Heading)
            && u.caption
                .as_deref()
                .is_some_and(|c| item.section_hint.iter().any(|h| c.contains(h.as_str())))
    });
    let end = document.source.as_str().len();
    match hinted {
        Some(u) => (u.header.clone(), u.span.end),
        None => {
            let line = s
                .title_lines
                .first()
                .cloned()
                .unwrap_or_else(|| document.source.line_range(0));
            let first_unit = s.roots.first().map(|&i| s.units[i].span.start);
            let supplementary = s
                .roots
                .iter()
                .map(|&i| &s.units[i])
                .find(|u| matches!(u.kind, UnitKind::Supplementary | UnitKind::Annex));
            let at = match (kind, first_unit, supplementary) {
                (DocumentKind::PrivacyNotice, Some(start), _) if start > 0 => start,
                (_, _, Some(u)) => u.span.start,
                _ => end,
            };
            (line, at)
        }
    }
}

/// Where a contract's closing starts inside `range`: the attestation (「本契約の成立を証する
/// ため」「以上の合意を証するため」), the signatures' date, the parties' names and seals, 別紙/別表, 以上/以下余白 — a
/// model clause goes before it, at the end of the body.
fn closing_start(text: &str, range: Range<usize>) -> Option<usize> {
    static CLOSING: Resettable<regex::Regex> = Resettable::new(|| {
        let words = &crate::vocabulary::vocabulary().contract;
        let parties: Vec<String> = ["甲", "乙"]
            .into_iter()
            .map(String::from)
            .chain(words.consignor_names.iter().cloned())
            .chain(words.contractor_names.iter().cloned())
            .map(|n| regex::escape(&n))
            .collect();
        regex::Regex::new(&format!(
            r"(?m)^[ \t　]*(?:[^\n。]{{0,24}}(?:を証するため|の証として)|以上[ \t　]*$|[（(]?以下余白|(?:令和|平成|昭和)[ 　\t]*(?:[0-9０-９元]+|[○〇　 ]+)[ 　]*年|20[0-9]{{2}}[ 　]*年[ 　]*[0-9０-９○〇 ]*月|(?:{})[ 　\t]*[：:（(]|別紙|別表|別記)",
            parties.join("|")
        ))
        .expect("closing pattern")
    });
    let body = text.get(range.clone())?;
    CLOSING.get().find(body).map(|m| range.start + m.start())
}

/// The consignor's and the contractor's names a contract defines instead of 甲 and 乙
/// (「委託者」「受託者」, 「委託元」「委託先」, 「発注者」「受注者」), so that a model clause
/// speaks the contract's language.
fn party_names(text: &str) -> Option<(&'static str, &'static str)> {
    let subject = |name: &str| {
        text.matches(&format!("{name}は")).count() + text.matches(&format!("{name}の")).count()
    };
    if subject("甲") >= 2 {
        return None;
    }
    // 再委託先 is a word of its own
    let uses = |name: &str| text.matches(name).count() - text.matches(&format!("再{name}")).count();
    let words = &crate::vocabulary::vocabulary().contract;
    let consignor = words
        .consignor_names
        .iter()
        .map(String::as_str)
        .max_by_key(|n| uses(n))?;
    let contractor = words
        .contractor_names
        .iter()
        .map(String::as_str)
        .max_by_key(|n| uses(n))?;
    (uses(consignor) >= 2 && uses(contractor) >= 2).then_some((consignor, contractor))
}

/// What a contract's model clauses need to know of it, read once per document: where its
/// body ends (the closing), its 第N条 articles, and the party names it uses.
struct ContractLayout {
    closing: Option<usize>,
    /// Start and number of each 第N条 article of the body, in order.
    articles: Vec<(usize, u32)>,
    parties: Option<(&'static str, &'static str)>,
}

impl ContractLayout {
    fn of(document: &Document) -> Self {
        let text = document.source.as_str();
        let body: Vec<&crate::structure::Unit> = document
            .structure
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Article && !u.supplementary)
            .collect();
        // the closing sits inside the last article's span, after its first line
        let closing = body
            .iter()
            .max_by_key(|u| u.span.start)
            .and_then(|last| closing_start(text, last.header.end..last.span.end));
        ContractLayout {
            closing,
            articles: body
                .iter()
                .filter(|u| u.label.starts_with('第'))
                .map(|u| (u.span.start, u.number))
                .collect(),
            parties: party_names(text),
        }
    }

    /// The model clause as it would stand at `insert_at`: the contract's party names, an
    /// article number and caption when the articles are 第N条, and the articles that would
    /// need renumbering after it, if any.
    fn clause(&self, item: &Item, insert_at: usize) -> (String, Option<(u32, u32)>) {
        let mut clause = item.model_clause.trim_end().to_string();
        if let Some((consignor, contractor)) = self.parties {
            clause = clause.replace('甲', consignor).replace('乙', contractor);
        }
        if self.articles.is_empty() {
            return (clause, None);
        }
        let before = self
            .articles
            .partition_point(|(start, _)| *start < insert_at);
        let number = before.checked_sub(1).map_or(1, |i| self.articles[i].1 + 1);
        let later = self
            .articles
            .iter()
            .filter(|(start, _)| *start >= insert_at)
            .map(|(_, n)| *n)
            .max();
        (
            format!("第{number}条（{}）\n{clause}", item.title),
            later
                .filter(|&last| last >= number)
                .map(|last| (number, last)),
        )
    }
}

fn missing_clause(
    document: &Document,
    catalog: &Catalog,
    item: &Item,
    id: &str,
    kind: DocumentKind,
    section: Option<Range<usize>>,
    contract: Option<&ContractLayout>,
) -> Diagnostic {
    let (range, mut insert_at) = match section {
        Some(s) => (
            document.source.line_range(document.source.line_of(s.start)),
            s.end,
        ),
        None => anchor(document, item, kind),
    };
    // in a contract, the clause goes at the end of the body, never after the signatures
    if let Some(closing) = contract.and_then(|c| c.closing) {
        insert_at = insert_at.min(closing);
    }
    let (clause, renumber) = match contract {
        Some(c) => c.clause(item, insert_at),
        None => (item.model_clause.trim_end().to_string(), None),
    };
    let basis = item.basis.first().map(String::as_str).unwrap_or("");
    let mut d = Diagnostic::new(
        Code::MissingClause,
        item.severity,
        Text::new(
            format!(
                "必須条項「{}」が見つかりません（{}。根拠: {basis}）",
                item.title, catalog.title
            ),
            format!(
                "Required clause “{}” is missing ({}; basis: {basis})",
                item.title(Language::En),
                catalog.title(Language::En)
            ),
        ),
        range,
    );
    d.item = Some(id.to_string());
    d.related = basis_related(item);
    let text = document.source.as_str();
    let prefix = if insert_at == 0 || text[..insert_at].ends_with('\n') {
        ""
    } else {
        "\n"
    };
    let (renumber_ja, renumber_en) = match renumber {
        Some((from, to)) => (
            format!("（第{from}条から第{to}条までの番号を1つずつ繰り下げてください）"),
            format!(" (renumber articles {from}–{to} by one)"),
        ),
        None => (String::new(), String::new()),
    };
    d.fix = Some(Fix {
        title: Text::new(
            format!("「{}」のひな形条項を挿入{renumber_ja}", item.title),
            format!(
                "Insert a model clause for “{}”{renumber_en}",
                item.title(Language::En)
            ),
        ),
        edits: vec![Edit {
            range: insert_at..insert_at,
            text: format!("{prefix}{clause}\n"),
        }],
    });
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The language server's parallel check reports what the command line's does, to the
    /// order of the findings, on every document of the corpus.
    #[test]
    fn the_parallel_check_equals_the_sequential_one() {
        let engine = Engine::new(crate::catalog::builtin_catalogs());
        let cache = std::sync::Arc::new(crate::document::AnalysisCache::default());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut checked = 0;
        for folder in ["contracts", "notices", "regulations", "shared"] {
            for entry in std::fs::read_dir(root.join(folder)).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                let name = path.to_string_lossy();
                let sequential = engine.check(&name, text.clone(), None);
                let parallel = engine.check_document_in_parallel(
                    &name,
                    Document::with_cache(text, &cache),
                    None,
                );
                assert_eq!(sequential.kind, parallel.kind, "{name}");
                assert_eq!(sequential.items, parallel.items, "{name}");
                assert_eq!(sequential.diagnostics, parallel.diagnostics, "{name}");
                assert_eq!(sequential.values, parallel.values, "{name}");
                checked += 1;
            }
        }
        assert!(checked > 20, "{checked}");
    }
}
