//! `--format html`: one self-contained page for a legal team — summary counts, the
//! documents × items matrix coloured by status, then each document's findings with the
//! source excerpt, the message, the legal basis and the model clause or fix. Inline CSS
//! only: no scripts, no external assets, works offline and prints. Everything taken from
//! documents or catalogs is escaped.

use std::collections::HashMap;
use std::fmt::Write;
use std::ops::Range;

use crate::catalog::{Catalogs, Severity};
use crate::diagnostic::{Code, Diagnostic, Language};
use crate::engine::FileReport;
use crate::kind::{DocumentKind, KindSource};
use crate::matcher::Status;
use crate::report::{Column, Summary, matrix_columns, status_in};
use crate::text::SourceText;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

struct Labels {
    lang: Language,
}

impl Labels {
    fn t<'a>(&self, ja: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Language::Ja => ja,
            Language::En => en,
        }
    }

    fn status(&self, s: Status) -> (&'static str, &'static str, &'static str) {
        // (css class, symbol, label)
        match (s, self.lang) {
            (Status::Present, Language::Ja) => ("present", "✓", "あり"),
            (Status::Present, Language::En) => ("present", "✓", "present"),
            (Status::Missing, Language::Ja) => ("missing", "✗", "欠落"),
            (Status::Missing, Language::En) => ("missing", "✗", "missing"),
            (Status::Conflict, Language::Ja) => ("conflict", "!", "抵触"),
            (Status::Conflict, Language::En) => ("conflict", "!", "conflicting"),
            (Status::NotApplicable, Language::Ja) => ("na", "–", "対象外"),
            (Status::NotApplicable, Language::En) => ("na", "–", "not applicable"),
        }
    }

    fn severity(&self, s: Severity) -> &'static str {
        match (s, self.lang) {
            (Severity::Error, Language::Ja) => "エラー",
            (Severity::Warning, Language::Ja) => "警告",
            (Severity::Info, Language::Ja) => "情報",
            (Severity::Error, Language::En) => "Error",
            (Severity::Warning, Language::En) => "Warning",
            (Severity::Info, Language::En) => "Info",
        }
    }

    fn kind(&self, k: DocumentKind) -> &'static str {
        match self.lang {
            Language::Ja => k.name_ja(),
            Language::En => match k {
                DocumentKind::PrivacyNotice => "Privacy notice",
                DocumentKind::Regulation => "Personal-information regulation",
                DocumentKind::ConsignmentContract => "Consignment contract",
                DocumentKind::Unknown => "Unknown",
            },
        }
    }

    fn kind_source(&self, s: KindSource) -> &'static str {
        match (s, self.lang) {
            (KindSource::Override, Language::Ja) => "--kind で指定",
            (KindSource::Directive, Language::Ja) => "文書内の指定",
            (KindSource::Config, Language::Ja) => "kiyaku.toml で指定",
            (KindSource::Detected, Language::Ja) => "自動判定",
            (KindSource::Override, Language::En) => "set with --kind",
            (KindSource::Directive, Language::En) => "set in the document",
            (KindSource::Config, Language::En) => "set in kiyaku.toml",
            (KindSource::Detected, Language::En) => "detected",
        }
    }

    /// A short heading for findings that are not about a catalog item (the code's title).
    fn code(&self, code: Code) -> &'static str {
        crate::codes::doc(code).title.get(self.lang)
    }

    fn line(&self, n: usize) -> String {
        match self.lang {
            Language::Ja => format!("{n}行目"),
            Language::En => format!("line {n}"),
        }
    }

    fn lines(&self, [a, b]: [usize; 2]) -> String {
        match (self.lang, a == b) {
            (Language::Ja, true) => format!("{a}行目"),
            (Language::Ja, false) => format!("{a}〜{b}行目"),
            (Language::En, true) => format!("line {a}"),
            (Language::En, false) => format!("lines {a}–{b}"),
        }
    }
}

const STYLE: &str = r#"
:root{--ink:#1f2430;--muted:#5f6b7a;--line:#d9dee5;--bg:#f5f7fa;--navy:#1d3557;
--ok:#1b7f3b;--ok-bg:#e3f4e8;--miss:#b3261e;--miss-bg:#fde7e6;--conf:#b45309;--conf-bg:#fff1d6;--na:#8a94a3;--na-bg:#f0f2f5;
--err:#b3261e;--warn:#b45309;--info:#1f5fa8}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.7 "Noto Sans CJK JP","Noto Sans JP","Hiragino Sans","Hiragino Kaku Gothic ProN","Yu Gothic UI","Yu Gothic","Meiryo",system-ui,sans-serif}
a{color:inherit}
header.top{background:var(--navy);color:#fff;padding:22px 32px 18px}
header.top h1{margin:0;font-size:22px;font-weight:700;letter-spacing:.04em}
header.top p{margin:4px 0 0;color:#c9d6e8;font-size:13px}
main{padding:20px 32px 48px;max-width:1600px}
h2{font-size:18px;margin:32px 0 10px;padding-bottom:6px;border-bottom:2px solid var(--navy)}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:0 0 8px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 18px;min-width:118px}
.card .n{font-size:26px;font-weight:700;line-height:1.2}
.card .l{font-size:12px;color:var(--muted)}
.card.err .n{color:var(--err)}.card.warn .n{color:var(--warn)}.card.info .n{color:var(--info)}
.card.miss .n{color:var(--miss)}.card.conf .n{color:var(--conf)}
.legend{display:flex;flex-wrap:wrap;gap:16px;margin:6px 0 10px;font-size:13px;color:var(--muted)}
.legend span.sw{display:inline-block;width:22px;height:22px;line-height:22px;text-align:center;border-radius:4px;margin-right:6px;font-weight:700;vertical-align:middle}
.matrix-wrap{width:fit-content;max-width:100%;overflow:auto;max-height:78vh;background:#fff;border:1px solid var(--line);border-radius:8px}
table.matrix{border-collapse:separate;border-spacing:0;font-size:13px}
table.matrix th,table.matrix td{border-right:1px solid var(--line);border-bottom:1px solid var(--line);background:#fff}
table.matrix thead th{position:sticky;top:0;z-index:2;background:#eef2f7}
table.matrix thead tr.groups th{height:34px;padding:4px 8px;text-align:left;font-size:12px;color:var(--navy);white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:0}
table.matrix thead tr.items th{top:34px;vertical-align:bottom;padding:8px 2px;width:38px;min-width:38px}
table.matrix thead th.corner{left:0;z-index:4;text-align:left;vertical-align:bottom;padding:8px 12px;min-width:250px}
table.matrix thead th.kindh{z-index:3;vertical-align:bottom;padding:8px;text-align:left}
.vt{writing-mode:vertical-rl;display:inline-block;max-height:15em;text-align:left;font-weight:600;line-height:1.25}
.vt small{font-weight:400;color:var(--muted);font-family:ui-monospace,"SFMono-Regular",Consolas,monospace;font-size:10px;white-space:nowrap;display:block;margin-right:2px}
table.matrix tbody th{position:sticky;left:0;z-index:1;text-align:left;font-weight:400;padding:6px 12px;white-space:nowrap}
table.matrix tbody th a{text-decoration:none}
table.matrix tbody th b{display:block;font-size:13px}
table.matrix tbody th small{color:var(--muted);font-size:11px}
table.matrix tbody td.kind{padding:6px 8px;font-size:12px;color:var(--muted);min-width:8.5em;max-width:11em;line-height:1.4}
table.matrix tbody tr:hover th,table.matrix tbody tr:hover td.kind{background:#f3f6fb}
td.c{text-align:center;font-weight:700;font-size:15px;padding:0;height:40px}
td.c a{display:block;line-height:40px;text-decoration:none}
.present{background:var(--ok-bg)!important;color:var(--ok)}
.missing{background:var(--miss-bg)!important;color:var(--miss)}
.conflict{background:var(--conf-bg)!important;color:var(--conf)}
.na{background:var(--na-bg)!important;color:var(--na);font-weight:400}
section.doc{background:#fff;border:1px solid var(--line);border-radius:8px;padding:4px 22px 18px;margin:20px 0}
section.doc h3{font-size:17px;margin:14px 0 2px;word-break:break-all}
.meta{color:var(--muted);font-size:13px;margin:0 0 10px}
.meta .chip{display:inline-block;border-radius:10px;padding:0 8px;margin-right:6px;font-size:12px}
.okmsg{color:var(--ok);font-weight:600}
article.f{border:1px solid var(--line);border-left:5px solid var(--info);border-radius:6px;padding:10px 16px 12px;margin:12px 0;background:#fff}
article.f.error{border-left-color:var(--err)}article.f.warning{border-left-color:var(--warn)}
article.f:target{box-shadow:0 0 0 3px #9cc3ff}
.fh{display:flex;flex-wrap:wrap;align-items:center;gap:8px;font-size:13px}
.badge{display:inline-block;border-radius:4px;padding:1px 8px;color:#fff;font-size:12px;font-weight:700}
.badge.error{background:var(--err)}.badge.warning{background:var(--warn)}.badge.info{background:var(--info)}
.fh .t{font-weight:700;font-size:15px}
.fh code{font-family:ui-monospace,"SFMono-Regular",Consolas,monospace;font-size:11.5px;color:var(--muted);background:var(--bg);border-radius:3px;padding:0 5px}
.fh .loc{margin-left:auto;color:var(--muted)}
p.msg{margin:6px 0 8px}
.ex{margin:0 0 10px;border:1px solid var(--line);border-radius:4px;background:#fafbfc;overflow:auto;font:13.5px/1.75 "Noto Serif CJK JP","Yu Mincho","Hiragino Mincho ProN","MS Mincho",serif}
.ex div{display:flex;white-space:pre-wrap}
.ex .ln{flex:none;width:4.2em;text-align:right;padding-right:10px;color:var(--na);font:12px/2.05 ui-monospace,Consolas,monospace;border-right:1px solid var(--line);margin-right:10px;user-select:none}
.ex .ctx{color:#8a94a3}
.ex mark{background:#ffe08a;color:inherit;border-radius:2px;padding:0 1px}
dl.d{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;font-size:13.5px}
dl.d dt{color:var(--muted);font-weight:700}
dl.d dd{margin:0}
dl.d ul{margin:0;padding-left:1.2em}
pre.clause{margin:4px 0 0;padding:8px 12px;white-space:pre-wrap;background:var(--ok-bg);border-radius:4px;font:13.5px/1.75 "Noto Serif CJK JP","Yu Mincho","Hiragino Mincho ProN",serif}
del{background:var(--miss-bg);color:var(--miss)}ins{background:var(--ok-bg);color:var(--ok);text-decoration:none}
details{margin-top:8px}
details summary{cursor:pointer;color:var(--muted);font-size:13px}
footer{color:var(--muted);font-size:12px;padding:0 32px 32px}
.per-catalog{display:none}
@media print{@page{margin:12mm}body{background:#fff}header.top{padding:10px 0}main{padding:0}
.matrix-wrap{display:none}.per-catalog{display:block}
table.per{margin:0 0 14px;border:1px solid var(--line);width:auto;break-inside:auto}
table.matrix thead th,table.matrix tbody th{position:static}
table.matrix thead{display:table-header-group}table.matrix tr{break-inside:avoid}
table.matrix thead tr.groups th{max-width:none;white-space:normal}
table.matrix thead tr.items th{width:30px;min-width:30px}
table.matrix thead th.corner{min-width:0;width:13em}
table.matrix tbody th{white-space:normal;word-break:break-all;width:13em}
table.matrix tbody td.kind{min-width:0;width:6.5em}
td.c{height:28px;font-size:13px}td.c a{line-height:28px}
section.doc,article.f{break-inside:avoid}}
"#;

pub fn render(reports: &[FileReport], catalogs: &Catalogs, language: Language) -> String {
    let l = Labels { lang: language };
    let columns = matrix_columns(reports, catalogs);
    let summary = Summary::of(reports);
    let mut out = String::new();
    let lang = match language {
        Language::Ja => "ja",
        Language::En => "en",
    };
    let title = l.t(
        "規約・契約書 検査レポート",
        "Compliance document check report",
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"kiyaku {version}\">\n<title>{title}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n",
        version = env!("CARGO_PKG_VERSION"),
    );
    let _ = write!(
        out,
        "<header class=\"top\"><h1>{title}</h1><p>{}</p></header>\n<main>\n",
        escape(&match language {
            Language::Ja => format!(
                "kiyaku {} による検査結果（{} 文書）。根拠条文とひな形条項は各指摘に記載しています。",
                env!("CARGO_PKG_VERSION"),
                reports.len()
            ),
            Language::En => format!(
                "Checked by kiyaku {} ({} document(s)). Each finding shows its legal basis and a model clause or fix.",
                env!("CARGO_PKG_VERSION"),
                reports.len()
            ),
        })
    );

    // Summary counts.
    let count = |s: Status| {
        reports
            .iter()
            .flat_map(|r| &r.items)
            .filter(|i| i.status == s)
            .count()
    };
    let _ = write!(
        out,
        "<h2>{}</h2>\n<div class=\"cards\">",
        l.t("概要", "Summary")
    );
    for (class, n, label) in [
        ("", summary.files, l.t("文書", "documents")),
        ("err", summary.errors, l.severity(Severity::Error)),
        ("warn", summary.warnings, l.severity(Severity::Warning)),
        ("info", summary.infos, l.severity(Severity::Info)),
        (
            "miss",
            count(Status::Missing),
            l.t("欠落している必須項目", "missing items"),
        ),
        (
            "conf",
            count(Status::Conflict),
            l.t("抵触する条項", "conflicting clauses"),
        ),
    ] {
        let _ = write!(
            out,
            "<div class=\"card {class}\"><div class=\"n\">{n}</div><div class=\"l\">{}</div></div>",
            escape(label)
        );
    }
    out.push_str("</div>\n");

    // Anchors of each document's first finding per item, for the matrix links.
    let anchors: Vec<HashMap<&str, String>> = reports
        .iter()
        .enumerate()
        .map(|(di, r)| {
            let mut m = HashMap::new();
            for (fi, d) in r.diagnostics.iter().enumerate() {
                if let Some(item) = d.item.as_deref() {
                    m.entry(item).or_insert_with(|| format!("f{di}-{fi}"));
                }
            }
            m
        })
        .collect();

    if !columns.is_empty() {
        matrix(&mut out, &l, reports, &columns, &anchors);
    }

    let _ = writeln!(
        out,
        "<h2>{}</h2>",
        l.t("文書ごとの指摘", "Findings by document")
    );
    for (di, report) in reports.iter().enumerate() {
        document(&mut out, &l, di, report, catalogs);
    }
    out.push_str("</main>\n");
    let _ = write!(
        out,
        "<footer>{}</footer>\n</body>\n</html>\n",
        escape(l.t(
            "この報告書は kiyaku が機械的に作成したものです。判定は条項の語句にもとづく目安であり、最終的な判断は法務担当者が行ってください。指摘を抑制するには文書に <!-- kiyaku-disable-next-line code=… --> などのコメントを書きます。",
            "This report was produced mechanically by kiyaku. Verdicts are based on the wording of clauses and are a guide; the final judgement rests with the legal team. Suppress a finding with a comment such as <!-- kiyaku-disable-next-line code=… --> in the document."
        ))
    );
    out
}

fn matrix(
    out: &mut String,
    l: &Labels,
    reports: &[FileReport],
    columns: &[Column<'_>],
    anchors: &[HashMap<&str, String>],
) {
    let _ = write!(
        out,
        "<h2>{}</h2>\n<div class=\"legend\">",
        l.t("文書 × 必須項目", "Documents × required items")
    );
    for s in [
        Status::Present,
        Status::Missing,
        Status::Conflict,
        Status::NotApplicable,
    ] {
        let (class, symbol, label) = l.status(s);
        let _ = write!(
            out,
            "<span><span class=\"sw {class}\">{symbol}</span>{}</span>",
            escape(label)
        );
    }
    let _ = writeln!(
        out,
        "<span>{}</span></div>",
        escape(l.t(
            "欠落・抵触のマスを選ぶと該当する指摘に移ります。",
            "Select a missing or conflicting cell to go to its finding."
        ))
    );
    out.push_str("<div class=\"matrix-wrap\">");
    let all: Vec<usize> = (0..reports.len()).collect();
    table(out, l, "matrix", reports, &all, columns, anchors);
    out.push_str("</div>\n");
    // On paper the wide table would be cut at the page's edge: a table per catalog is
    // printed instead, each with the documents that catalog applies to.
    out.push_str("<div class=\"per-catalog\">\n");
    let mut i = 0;
    while i < columns.len() {
        let catalog = columns[i].catalog;
        let n = columns[i..]
            .iter()
            .take_while(|c| std::ptr::eq(c.catalog, catalog))
            .count();
        let group = &columns[i..i + n];
        let rows: Vec<usize> = (0..reports.len())
            .filter(|&di| {
                group
                    .iter()
                    .any(|c| status_in(&reports[di], &c.id).0 != Status::NotApplicable)
            })
            .collect();
        if !rows.is_empty() {
            table(out, l, "matrix per", reports, &rows, group, anchors);
        }
        i += n;
    }
    out.push_str("</div>\n");
}

/// A documents × items table: the given rows (indices into `reports`) and columns, with a
/// heading per catalog.
fn table(
    out: &mut String,
    l: &Labels,
    class: &str,
    reports: &[FileReport],
    rows: &[usize],
    columns: &[Column<'_>],
    anchors: &[HashMap<&str, String>],
) {
    let _ = write!(
        out,
        "<table class=\"{class}\">\n<thead>\n<tr class=\"groups\">"
    );
    let _ = write!(
        out,
        "<th class=\"corner\" rowspan=\"2\">{}</th><th class=\"kindh\" rowspan=\"2\">{}</th>",
        l.t("文書", "Document"),
        l.t("種類", "Kind")
    );
    let mut i = 0;
    while i < columns.len() {
        let catalog = columns[i].catalog;
        let n = columns[i..]
            .iter()
            .take_while(|c| std::ptr::eq(c.catalog, catalog))
            .count();
        let name = catalog.title(l.lang);
        let _ = write!(
            out,
            "<th colspan=\"{n}\" title=\"{}\">{}</th>",
            escape(&format!("{name} ({})", catalog.id)),
            escape(name)
        );
        i += n;
    }
    out.push_str("</tr>\n<tr class=\"items\">");
    for c in columns {
        let title = c.item.title(l.lang);
        let _ = write!(
            out,
            "<th title=\"{}\"><span class=\"vt\">{}<small>{}</small></span></th>",
            escape(&format!("{title} ({})", c.id)),
            escape(title),
            escape(&c.item.id)
        );
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for &di in rows {
        let report = &reports[di];
        let (dir, name) = split_path(&report.path);
        let _ = write!(
            out,
            "<tr><th><a href=\"#doc-{di}\"><b>{}</b><small>{}</small></a></th><td class=\"kind\">{}</td>",
            escape(name),
            escape(dir),
            escape(l.kind(report.kind))
        );
        for c in columns {
            let (status, lines) = status_in(report, &c.id);
            let (class, symbol, label) = l.status(status);
            let mut tip = format!("{} — {}: {label}", report.path, c.item.title(l.lang));
            if let Some(lines) = lines {
                tip.push_str(&format!(" ({})", l.lines(lines)));
            }
            match anchors[di].get(c.id.as_str()) {
                Some(anchor) if matches!(status, Status::Missing | Status::Conflict) => {
                    let _ = write!(
                        out,
                        "<td class=\"c {class}\" title=\"{}\"><a href=\"#{anchor}\">{symbol}</a></td>",
                        escape(&tip)
                    );
                }
                _ => {
                    let _ = write!(
                        out,
                        "<td class=\"c {class}\" title=\"{}\">{symbol}</td>",
                        escape(&tip)
                    );
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn split_path(path: &str) -> (&str, &str) {
    match path.rfind(['/', '\\']) {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    }
}

fn document(out: &mut String, l: &Labels, di: usize, report: &FileReport, catalogs: &Catalogs) {
    let _ = write!(
        out,
        "<section class=\"doc\" id=\"doc-{di}\">\n<h3>{}</h3>\n<p class=\"meta\">{} · {}",
        escape(&report.path),
        escape(l.kind(report.kind)),
        escape(l.kind_source(report.kind_source))
    );
    for s in [Status::Present, Status::Missing, Status::Conflict] {
        let n = report.items.iter().filter(|i| i.status == s).count();
        if n > 0 {
            let (class, _, label) = l.status(s);
            let _ = write!(
                out,
                " · <span class=\"chip {class}\">{} {n}</span>",
                escape(label)
            );
        }
    }
    out.push_str("</p>\n");
    let shown: Vec<(usize, &Diagnostic)> = report
        .diagnostics
        .iter()
        .enumerate()
        .filter(|(_, d)| d.suppressed.is_none())
        .collect();
    let suppressed: Vec<(usize, &Diagnostic)> = report
        .diagnostics
        .iter()
        .enumerate()
        .filter(|(_, d)| d.suppressed.is_some())
        .collect();
    if shown.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"okmsg\">{}</p>",
            l.t("指摘はありません。", "No findings.")
        );
    }
    for (fi, d) in shown {
        finding(out, l, di, fi, report, d, catalogs);
    }
    if !suppressed.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} ({})</summary>",
            l.t("抑制された指摘", "Suppressed findings"),
            suppressed.len()
        );
        for (fi, d) in suppressed {
            finding(out, l, di, fi, report, d, catalogs);
        }
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

fn finding(
    out: &mut String,
    l: &Labels,
    di: usize,
    fi: usize,
    report: &FileReport,
    d: &Diagnostic,
    catalogs: &Catalogs,
) {
    let source = &report.document.source;
    let item = d.item.as_deref().and_then(|id| catalogs.entry(id));
    let heading = match item {
        Some((_, item)) => item.title(l.lang).to_string(),
        None => l.code(d.code).to_string(),
    };
    // A missing clause has no place of its own: its range only anchors the editor's
    // underline, and the fix says where the model clause goes.
    let whole_document = d.code == Code::MissingClause;
    let start = source.position(d.range.start);
    let end = source.position(d.range.end.saturating_sub(1).max(d.range.start));
    let sev = d.severity.as_str();
    let _ = write!(
        out,
        "<article class=\"f {sev}\" id=\"f{di}-{fi}\">\n<div class=\"fh\"><span class=\"badge {sev}\">{}</span><span class=\"t\">{}</span><code>{}</code>",
        l.severity(d.severity),
        escape(&heading),
        d.code.as_str()
    );
    if let Some(id) = &d.item {
        let _ = write!(out, "<code>{}</code>", escape(id));
    }
    let _ = write!(
        out,
        "<span class=\"loc\">{}</span></div>\n<p class=\"msg\">{}</p>\n",
        escape(&if whole_document {
            l.t("文書全体", "whole document").to_string()
        } else if let Some(page) = report.page_label(start.line, start.column, l.lang) {
            // a .pdf: the printed place, then the line of the extracted text shown below
            let lines = l.lines([start.line, end.line.max(start.line)]);
            match l.lang {
                Language::Ja => format!("{page}（{lines}）"),
                Language::En => format!("{page} ({lines})"),
            }
        } else {
            l.lines([start.line, end.line.max(start.line)])
        }),
        escape(d.message.get(l.lang))
    );
    if !whole_document {
        excerpt(out, source, &d.range);
    }
    out.push_str("<dl class=\"d\">");
    if !d.related.is_empty() {
        let label = if d.related.iter().any(|r| r.location.is_some()) {
            l.t("根拠・関連", "Basis, related")
        } else {
            l.t("根拠", "Basis")
        };
        let _ = write!(out, "<dt>{label}</dt><dd><ul>");
        for r in &d.related {
            match &r.location {
                Some((path, line)) => {
                    let _ = write!(
                        out,
                        "<li>{} <small>({}:{line})</small></li>",
                        escape(r.message.get(l.lang)),
                        escape(path)
                    );
                }
                None => {
                    let m = r.message.get(l.lang);
                    let m = m
                        .strip_prefix("根拠: ")
                        .or_else(|| m.strip_prefix("Basis: "))
                        .unwrap_or(m);
                    let _ = write!(out, "<li>{}</li>", escape(m));
                }
            }
        }
        out.push_str("</ul></dd>");
    }
    if let Some((_, item)) = item {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            l.t("解説", "Why"),
            escape(item.explanation(l.lang))
        );
    }
    if let Some(fix) = &d.fix {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}",
            l.t("修正案", "Fix"),
            escape(fix.title.get(l.lang))
        );
        for e in &fix.edits {
            if e.range.is_empty() {
                let _ = write!(
                    out,
                    " <small>({})</small><pre class=\"clause\">{}</pre>",
                    escape(&match l.lang {
                        Language::Ja =>
                            format!("{}に挿入", l.line(source.position(e.range.start).line)),
                        Language::En => {
                            format!("insert at {}", l.line(source.position(e.range.start).line))
                        }
                    }),
                    escape(e.text.trim_matches('\n'))
                );
            } else {
                let old = source.as_str().get(e.range.clone()).unwrap_or("");
                let _ = write!(
                    out,
                    "<br><del>{}</del> → <ins>{}</ins>",
                    escape(old),
                    escape(&e.text)
                );
            }
        }
        out.push_str("</dd>");
    } else if let Some((_, item)) = item {
        let _ = write!(
            out,
            "<dt>{}</dt><dd><pre class=\"clause\">{}</pre></dd>",
            l.t("ひな形条項", "Model clause"),
            escape(item.model_clause.trim())
        );
    }
    if let Some(why) = &d.suppressed {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            l.t("抑制", "Suppressed"),
            escape(why)
        );
    }
    out.push_str("</dl>\n</article>\n");
}

/// The lines of `range` (at most six) with one line of context either side; the range
/// itself is marked.
fn excerpt(out: &mut String, source: &SourceText, range: &Range<usize>) {
    let first = source.position(range.start).line - 1;
    let last = source
        .position(range.end.saturating_sub(1).max(range.start))
        .line
        .saturating_sub(1)
        .max(first)
        .min(first + 5);
    let from = first.saturating_sub(1);
    let to = (last + 1).min(source.line_count().saturating_sub(1));
    out.push_str("<div class=\"ex\">");
    let s = source.as_str();
    for line in from..=to {
        let r = source.line_range(line);
        let context = line < first || line > last;
        // a long line is shown as a window: the end of the line before, the start of
        // the line after, and around the range on its own lines
        let anchor = match line {
            l if l < first => r.end..r.end,
            l if l > last => r.start..r.start,
            _ => range.clone(),
        };
        let w = source.line_window(line, anchor);
        let (before, after) = (
            if w.cut_before { "…" } else { "" },
            if w.cut_after { "…" } else { "" },
        );
        let _ = write!(out, "<div><span class=\"ln\">{}</span>", line + 1);
        if context {
            let _ = write!(
                out,
                "<span class=\"ctx\">{before}{}{after}</span>",
                escape(&s[w.shown])
            );
        } else {
            let _ = write!(
                out,
                "<span>{before}{}<mark>{}</mark>{}{after}</span>",
                escape(&s[w.shown.start..w.mark.start]),
                escape(&s[w.mark.clone()]),
                escape(&s[w.mark.end..w.shown.end])
            );
        }
        out.push_str("</div>");
    }
    out.push_str("</div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">甲 & 乙's</a>"),
            "&lt;a href=&quot;x&quot;&gt;甲 &amp; 乙&#39;s&lt;/a&gt;"
        );
    }
}
