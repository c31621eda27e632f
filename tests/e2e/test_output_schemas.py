"""kiyaku's machine-readable outputs against their schemas, checked by python-jsonschema
(the reference implementation of JSON Schema, independent of kiyaku's own code):

- SARIF against the official SARIF 2.1.0 schema (tests/sarif/sarif-schema-2.1.0.json,
  draft-04), formats included (URIs, dates);
- `--format json` against its written contract (src/report/json.schema.json, draft-07).

The outputs cover the corpus, every input format, a suppressed finding and a contract judged
against its company's regulation, in Japanese and English. What each output says is tested in
tests/suite/reports.rs; here only its shape.

Run from the repository root: python3 -m pytest tests/e2e/test_output_schemas.py
(KIYAKU_BIN names the binary; target/debug/kiyaku by default).
"""

import json
import os
import pathlib
import shutil
import subprocess

import pytest

from required import require_or_skip

jsonschema = require_or_skip("jsonschema", "pip install 'jsonschema[format-nongpl]'")

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("KIYAKU_BIN", str(ROOT / "target" / "debug" / "kiyaku"))
SARIF_SCHEMA = ROOT / "tests" / "sarif" / "sarif-schema-2.1.0.json"
JSON_SCHEMA = ROOT / "src" / "report" / "json.schema.json"
SUPPRESSED = (
    "# 業務委託契約書\n\n<!-- kiyaku-disable item=consignment/audit-right -->\n"
    "第1条（目的）甲は乙に個人情報の取扱いを委託する。\n<!-- kiyaku-enable -->\n"
)


# tests/fixtures/inputs holds files kiyaku must refuse (a PDF bomb, an encrypted PDF): the
# run reports them and exits with 2, and its report of the other files is still written
UNREADABLE_INSIDE = {"tests/fixtures/inputs"}


def kiyaku(*args: str, stdin: str | None = None) -> dict:
    done = subprocess.run(
        [BINARY, "check", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # 1: findings; 0: none; 2: a file could not be read, expected only where such files are
    expected = {0, 1, 2} if UNREADABLE_INSIDE & set(args) else {0, 1}
    assert done.returncode in expected, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict:
    """Folders to check beyond the repository's own: a suppressed finding, and a contract
    beside the regulation whose article 36(4) it is judged against (kiyaku.toml [derive])."""
    if not pathlib.Path(BINARY).is_file():
        pytest.fail(f"no kiyaku binary at {BINARY} (cargo build, or set KIYAKU_BIN)")
    suppressed = tmp_path_factory.mktemp("suppressed")
    (suppressed / "suppressed.md").write_text(SUPPRESSED, encoding="utf-8")
    derived = tmp_path_factory.mktemp("derived")
    shutil.copy(ROOT / "tests" / "corpus" / "shared" / "regulation-tsc.txt", derived / "regulation.txt")
    (derived / "kiyaku.toml").write_text(
        '[derive]\nregulation = "regulation.txt"\narticle = 36\nparagraph = 4\n', encoding="utf-8"
    )
    (derived / "契約 書.txt").write_text(
        "業務委託契約書\n第1条 乙は、本件業務を誠実に行う。\n", encoding="utf-8"
    )
    return {"suppressed": str(suppressed), "derived": str(derived / "契約 書.txt")}


def errors_of(validator, instance) -> list:
    return [
        f"{e.message} at /{'/'.join(str(p) for p in e.absolute_path)}"
        for e in list(validator.iter_errors(instance))[:20]
    ]


# every format python-jsonschema knows: SARIF's draft-04 schema also uses "uri-reference",
# a format named only from draft-06 on
FORMATS = jsonschema.FormatChecker()


def test_the_format_checks_are_installed():
    """Without its format extras python-jsonschema skips `format` silently; fail instead."""
    checkers = FORMATS.checkers
    for name in ("uri", "uri-reference", "date-time"):
        assert name in checkers, f"format {name} is not checked: pip install 'jsonschema[format-nongpl]'"


@pytest.mark.parametrize(
    "args",
    [
        ["tests/corpus"],
        ["--lang", "en", "tests/corpus/contracts"],
        ["tests/fixtures/inputs"],
        ["suppressed"],
        ["--kind", "consignment-contract", "derived"],
    ],
    ids=["corpus", "contracts-en", "input-formats", "suppressed", "beside-the-regulation"],
)
def test_sarif_is_valid_against_the_official_schema(args, inputs):
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=FORMATS)
    sarif = kiyaku("--format", "sarif", *[inputs.get(a, a) for a in args])
    assert sarif["runs"][0]["results"], "nothing to validate"
    errors = errors_of(validator, sarif)
    assert not errors, "\n".join(errors)


def test_the_schema_rejects_what_sarif_does_not_allow():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=FORMATS)
    sarif = kiyaku("--format", "sarif", "tests/corpus/contracts")
    assert not errors_of(validator, sarif)
    sarif["runs"][0]["results"][0]["level"] = "fatal"
    assert errors_of(validator, sarif)
    sarif["runs"][0]["results"][0]["level"] = "error"
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "契約 書.txt"
    assert errors_of(validator, sarif), "an unencoded URI reference passed"


def test_sarif_of_a_suppressed_document_from_standard_input_is_valid():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=FORMATS)
    text = "<!-- kiyaku: kind=consignment-contract -->\n<!-- kiyaku-disable -->\n# 覚書\n第1条 乙は、業務を行う。\n"
    sarif = kiyaku("--format", "sarif", "-", stdin=text)
    assert all(r["suppressions"] for r in sarif["runs"][0]["results"])
    errors = errors_of(validator, sarif)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("target", ["tests/corpus", "tests/fixtures/inputs", "suppressed"])
def test_json_output_follows_its_written_contract(lang, target, inputs):
    schema = json.loads(JSON_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    report = kiyaku("--format", "json", "--lang", lang, inputs.get(target, target))
    errors = errors_of(validator, report)
    assert not errors, f"{target}: " + "\n".join(errors)
