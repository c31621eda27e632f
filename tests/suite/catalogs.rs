//! Every example of every catalog file is a test: it is checked alone as a tiny
//! document of the catalog's first kind, and the item's status must be the
//! example's expectation. Also: broken catalog files are reported with a position.

use kiyaku::catalog::{self, Expectation};
use kiyaku::lint::Engine;
use kiyaku::matcher::Status;

fn status_name(e: Expectation) -> Status {
    match e {
        Expectation::Present => Status::Present,
        Expectation::Missing => Status::Missing,
        Expectation::Conflict => Status::Conflict,
        Expectation::NotApplicable => Status::NotApplicable,
    }
}

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
                if got != Some(status_name(example.expect)) {
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
    let (catalogs, errors) = catalog::catalogs_with_extra(std::slice::from_ref(&bad));
    assert_eq!(errors.len(), 1);
    let shown = errors[0].to_string();
    assert!(
        shown.starts_with(&format!("{}:6:", bad.display())),
        "{shown}"
    );
    assert_eq!(catalogs.len(), catalog::builtin_catalogs().len());
}
