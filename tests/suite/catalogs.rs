//! Every example of every catalog file is a test: it is checked alone as a tiny
//! document of the catalog's first kind, and the item's status must be the
//! example's expectation. Also: broken catalog files are reported with a position.

use kiyaku::catalog;
use kiyaku::engine::Engine;

#[test]
fn every_catalog_example_gets_its_expected_status() {
    let only = std::env::var("KIYAKU_CATALOG").ok();
    let mut failures = Vec::new();
    let mut count = 0;
    for catalog in catalog::builtin_catalogs() {
        if only.as_deref().is_some_and(|o| o != catalog.id) {
            continue;
        }
        let kind = catalog.kinds[0];
        let engine = Engine::new(vec![catalog.clone()]);
        for item in &catalog.items {
            let id = catalog.full_id(item);
            for example in &item.examples {
                count += 1;
                let report = engine.check("example.txt", example.text.clone(), Some(kind));
                let got = report.items.iter().find(|i| i.id == id).map(|i| i.status);
                if got != Some(example.expect) {
                    failures.push(format!(
                        "{id}: expected {:?}, got {got:?}: {}",
                        example.expect, example.text
                    ));
                }
            }
        }
    }
    assert!(count > 0, "no examples ran");
    assert!(
        failures.is_empty(),
        "{} of {count} examples fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn builtin_catalogs_have_the_contract_ids() {
    let catalogs = catalog::builtin_catalogs();
    let ids = |cat: &str| -> Vec<String> {
        catalogs
            .iter()
            .find(|c| c.id == cat)
            .unwrap_or_else(|| panic!("no catalog {cat}"))
            .items
            .iter()
            .map(|i| i.id.clone())
            .collect()
    };
    let expect = |cat: &str, want: &[&str]| {
        let have = ids(cat);
        for w in want {
            assert!(have.iter().any(|h| h == w), "{cat}/{w} missing");
        }
    };
    expect(
        "consignment",
        &[
            "confidentiality",
            "no-removal",
            "no-other-purpose",
            "subcontracting-conditions",
            "breach-liability",
            "return-or-delete",
            "staff-supervision",
            "compliance-reporting",
            "staff-designation",
            "audit-right",
            "subcontract-consent",
            "incident-reporting",
        ],
    );
    expect(
        "appi-notice",
        &[
            "business-identity",
            "purposes",
            "request-procedure",
            "request-fee",
            "security-measures",
            "complaint-contact",
            "accredited-body",
            "third-party",
            "joint-use",
            "foreign-transfer",
            "anonymized",
            "pseudonymized",
        ],
    );
    expect(
        "regulation",
        &[
            "safety-org",
            "safety-human",
            "safety-physical",
            "safety-technical",
            "leak-report",
            "consignee-supervision",
            "disclosure-requests",
            "complaint-handling",
            "purpose-specification",
            "third-party-restriction",
        ],
    );
    expect(
        "jisq15001-direct",
        &[
            "controller",
            "privacy-manager",
            "purposes",
            "third-party",
            "entrustment",
            "request-contact",
            "voluntariness",
            "covert-acquisition",
        ],
    );
}

#[test]
fn a_broken_catalog_is_reported_with_its_position_and_others_keep_working() {
    let dir = std::env::temp_dir().join(format!("kiyaku-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "id = \"bad\"\ntitle = \"t\"\nkinds = [\"regulation\"]\n[[item]]\nid = \"x\"\ntitle = 5\n",
    )
    .unwrap();
    let (catalogs, errors) = catalog::Catalogs::with_extra(std::slice::from_ref(&bad));
    assert_eq!(errors.len(), 1);
    let shown = errors[0].to_string();
    assert!(
        shown.starts_with(&format!("{}:6:", bad.display())),
        "{shown}"
    );
    assert_eq!(catalogs.len(), catalog::builtin_catalogs().len());
}

/// Status of every `jisq15001-direct` item on a privacy notice.
fn direct_statuses(text: &str) -> Vec<(String, String)> {
    let engine = Engine::new(catalog::builtin_catalogs());
    let report = engine.check(
        "notice.txt",
        text.to_string(),
        Some(kiyaku::kind::DocumentKind::PrivacyNotice),
    );
    report
        .items
        .iter()
        .filter(|i| i.id.starts_with("jisq15001-direct/"))
        .map(|i| (i.id.clone(), i.status.as_str().to_string()))
        .collect()
}

fn status_of<'a>(statuses: &'a [(String, String)], id: &str) -> &'a str {
    &statuses
        .iter()
        .find(|(i, _)| i == &format!("jisq15001-direct/{id}"))
        .unwrap_or_else(|| panic!("{id} not judged"))
        .1
}

const POLICY_HEAD: &str = "個人情報保護方針\n1. 事業者\n株式会社サンプル商事 代表取締役 山田太郎 東京都千代田区1-1-1\n2. 利用目的\n当社は、取得した個人情報をお問い合わせへの回答のために利用します。\n3. 開示等の請求\n開示等の請求には、お問い合わせ窓口（電話 03-0000-0000）にて応じます。\n";

#[test]
fn direct_acquisition_items_are_looked_for_inside_their_own_section() {
    // the section only repeats the JIS headings: the values given elsewhere do not count
    let labels_only = format!(
        "{POLICY_HEAD}4. お客様から直接書面によって個人情報を取得する場合\n- 当社の氏名又は名称\n- 利用目的\n- 開示等の求めに応じる旨及び問合せ窓口\n"
    );
    let s = direct_statuses(&labels_only);
    for id in ["controller", "purposes", "request-contact", "voluntariness"] {
        assert_eq!(status_of(&s, id), "missing", "{id}: {s:?}");
    }
    // the same section with values
    let filled = format!(
        "{POLICY_HEAD}4. お客様から直接書面によって個人情報を取得する場合\n- 事業者の名称：株式会社サンプル商事\n- 個人情報のご提供は任意です。ただし、ご提供いただけない場合は回答できないことがあります。\n"
    );
    let s = direct_statuses(&filled);
    assert_eq!(status_of(&s, "controller"), "present", "{s:?}");
    assert_eq!(status_of(&s, "voluntariness"), "present", "{s:?}");
}

#[test]
fn direct_acquisition_items_do_not_apply_without_such_a_notice() {
    // 「直接書面以外」 and a one-sentence remark do not open a direct-acquisition notice
    let text = format!(
        "{POLICY_HEAD}4. 直接書面以外の方法で取得する場合\n当社は、利用目的を公表します。\n5. 取得\n(1) ご本人から直接書面によって取得する個人情報の利用目的は、取得に先立ち書面により明示します。\n"
    );
    let s = direct_statuses(&text);
    assert!(s.iter().all(|(_, st)| st == "not-applicable"), "{s:?}");
}

#[test]
fn a_statement_of_following_the_jis_clause_opens_the_notice_to_the_end() {
    let text = format!(
        "{POLICY_HEAD}個人情報の取扱いについて\n当社は、JIS Q 15001:2023のA.7（本人から直接書面によって取得する場合の措置）に従い、個人情報を取得します。\n1. 組織の名称\n株式会社サンプル商事\n2. 個人情報の開示等の請求\n開示等の請求は、下記窓口までお問い合わせください。電話 03-0000-0000\n"
    );
    let s = direct_statuses(&text);
    assert_eq!(status_of(&s, "controller"), "present", "{s:?}");
    assert_eq!(status_of(&s, "request-contact"), "present", "{s:?}");
    assert_eq!(status_of(&s, "voluntariness"), "missing", "{s:?}");
}

#[test]
fn a_text_declared_the_notice_at_acquisition_is_judged_as_one() {
    // a form's note that never names its form reads as a general policy ...
    let note = "個人情報の取り扱いについて\nお客様よりお預かりした個人情報は、お問い合わせへの回答のために利用させていただきます。\n当社では、法令に基づく場合を除き、第三者に提供いたしません。\n";
    let s = direct_statuses(note);
    assert!(s.iter().all(|(_, st)| st == "not-applicable"), "{s:?}");
    // ... until its drafter says where it is shown, as a comment or in front matter
    for directive in [
        "<!-- kiyaku: notice=at-acquisition -->\n",
        "---\nkiyaku: { notice: at-acquisition }\n---\n",
    ] {
        let s = direct_statuses(&format!("{directive}{note}"));
        assert_eq!(status_of(&s, "purposes"), "present", "{s:?}");
        assert_eq!(status_of(&s, "third-party"), "present", "{s:?}");
        assert_eq!(status_of(&s, "controller"), "missing", "{s:?}");
        assert_eq!(status_of(&s, "voluntariness"), "missing", "{s:?}");
    }
    // the directive shown as an example is none
    let shown = format!("{note}書き方の例: `<!-- kiyaku: notice=at-acquisition -->`\n");
    let s = direct_statuses(&shown);
    assert!(s.iter().all(|(_, st)| st == "not-applicable"), "{s:?}");
    // and it makes the text a privacy notice when its kind is not given
    let engine = Engine::new(catalog::builtin_catalogs());
    let report = engine.check(
        "form.txt",
        format!("<!-- kiyaku: notice=at-acquisition -->\n{note}"),
        None,
    );
    assert_eq!(report.kind, kiyaku::kind::DocumentKind::PrivacyNotice);
    // the directive itself is no unreadable comment
    assert!(
        report
            .diagnostics
            .iter()
            .all(|d| d.code != kiyaku::diagnostic::Code::InvalidDirective),
        "{:?}",
        report.diagnostics
    );
    // a notice named otherwise is reported once, and declares nothing
    let report = engine.check(
        "form.txt",
        format!("<!-- kiyaku: notice=at-aquisition -->\n{note}"),
        Some(kiyaku::kind::DocumentKind::PrivacyNotice),
    );
    assert!(
        report
            .diagnostics
            .iter()
            .filter(|d| d.code == kiyaku::diagnostic::Code::InvalidDirective)
            .map(|d| d.message.ja.contains("at-aquisition"))
            .eq([true]),
        "{:?}",
        report.diagnostics
    );
    assert!(
        report
            .items
            .iter()
            .filter(|i| i.id.starts_with("jisq15001-direct/"))
            .all(|i| i.status.as_str() == "not-applicable")
    );
}

/// Every citation a user sees (a catalog item's `basis`, an outdated reference's `source`)
/// names something a legal team can verify — a law or rule with its article, a guideline or
/// notice with its issuer, a standard with its number and year — and nothing in
/// `dictionaries/` cites research notes, index ids or a machine's paths.
#[test]
fn citations_are_of_laws_guidelines_and_standards_only() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dictionaries");
    let verifiable = regex::Regex::new(
        r"法律|法（|法第|規則|政令|条例|ガイドライン|規程|個人情報保護委員会|JIS Q \d+(:\d{4})?|日本産業規格",
    )
    .unwrap();
    let unverifiable = regex::Regex::new(
        // research notes and index ids; any absolute file path (a machine's, not a citation)
        r#"legal-catalog|\[S-[A-Z]|code-index|(^|[\s"'(（=])/[\w.-]+/|shared/corpus|shared/legal"#,
    )
    .unwrap();
    let mut files = vec![root.join("outdated.toml"), root.join("phrases.toml")];
    files.extend(
        std::fs::read_dir(root.join("catalogs"))
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    let mut bad = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if unverifiable.is_match(line) {
                bad.push(format!("{}:{}: {line}", file.display(), n + 1));
            }
        }
        let value: toml::Value = toml::from_str(&text).unwrap();
        let mut citations: Vec<String> = Vec::new();
        for entry in value
            .get("entry")
            .and_then(|e| e.as_array())
            .into_iter()
            .flatten()
        {
            citations.extend(
                entry
                    .get("source")
                    .and_then(|s| s.as_str())
                    .map(String::from),
            );
        }
        for item in value
            .get("item")
            .and_then(|e| e.as_array())
            .into_iter()
            .flatten()
        {
            for b in item
                .get("basis")
                .and_then(|b| b.as_array())
                .into_iter()
                .flatten()
            {
                citations.extend(b.as_str().map(String::from));
            }
        }
        for c in citations {
            if !verifiable.is_match(&c) {
                bad.push(format!(
                    "{}: not a verifiable citation: {c}",
                    file.display()
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A policy page is the notice its forms point to when it states the voluntariness of
/// providing the data with its consequence; a cookie left optional and what refusing it costs,
/// or a form's fields marked optional, state neither.
#[test]
fn optional_cookies_and_fields_make_no_policy_a_form_notice() {
    let policy = |choice: &str| {
        format!(
            "サンプル診断 プライバシーポリシー\n第1条（事業者名）\nサンプル商事\n第2条（利用目的）\n取得した情報は、お問い合わせへの回答のために利用します。\n第3条（第三者への提供）\n法令に基づく場合を除き、第三者に提供しません。\n第4条（業務の委託）\nメールの送信を外部の事業者に委託することがあります。\n第5条（開示等のご請求）\n開示等のご請求は第7条の窓口までご連絡ください。\n第6条（Cookieおよび取得する情報）\n{choice}\n第7条（お問い合わせ窓口）\nメールアドレス：info@sample-shoji.com\n"
        )
    };
    let cookie = "1. 利用状況の分析（任意）：アクセス解析のために使用します。Cookieはブラウザの設定で無効にできますが、その場合は診断結果を表示できません。";
    let fields = "ご希望の時間帯、ご質問（いずれも任意）。IPアドレスは復元できない形に変換した値のみを記録します。";
    let refused = "クッキーの受け入れは任意です。クッキーを拒否された場合、一部の機能をご利用になれない場合があります。";
    for choice in [cookie, fields, refused] {
        let statuses = direct_statuses(&policy(choice));
        assert!(
            statuses.iter().all(|(_, s)| s == "not-applicable"),
            "{choice}: {statuses:?}"
        );
    }
    let voluntary =
        "個人情報のご提供は任意です。ただし、ご提供いただけない場合はご回答できません。";
    let statuses = direct_statuses(&policy(voluntary));
    assert_eq!(
        status_of(&statuses, "voluntariness"),
        "present",
        "{statuses:?}"
    );
    assert_eq!(
        status_of(&statuses, "privacy-manager"),
        "missing",
        "{statuses:?}"
    );
}
