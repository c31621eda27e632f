"""kiyaku's language server driven by pytest-lsp, a client written by others.

Run from the repository root after `cargo build`: python3 -m pytest tests/e2e
(KIYAKU_BIN overrides the binary; target/debug/kiyaku by default).
"""

import os
import pathlib
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("KIYAKU_BIN", str(ROOT / "target" / "debug" / "kiyaku"))
REGULATION = ROOT / "tests" / "corpus" / "shared" / "regulation-tsc.txt"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BINARY, "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16])
            ),
            root_uri=ROOT.as_uri(),
        )
    )
    yield
    await lsp_client.shutdown_session()


async def open_and_wait(client: LanguageClient, uri: str, text: str):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=text)
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[uri]


@pytest.mark.asyncio
async def test_real_findings_are_published(client: LanguageClient):
    uri = REGULATION.as_uri()
    diagnostics = await open_and_wait(client, uri, REGULATION.read_text(encoding="utf-8"))
    codes = {(d.code, d.range.start.line + 1) for d in diagnostics}
    assert ("phrase-typo", 65) in codes  # 滅失及び既存
    assert ("phrase-typo", 537) in codes  # 変更した1場合
    assert ("broken-reference", 603) in codes  # 「イ」「ウ」 where the sub-items are ①②③


@pytest.mark.asyncio
async def test_quick_fix_for_a_missing_contract_clause(client: LanguageClient):
    uri = "file:///tmp/kiyaku-e2e-contract.txt"
    diagnostics = await open_and_wait(client, uri, "業務委託契約書\n第1条 乙は、本件業務を誠実に行う。\n")
    audit = next(d for d in diagnostics if "consignment/audit-right" in d.message)
    assert audit.code == "missing-clause"
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=audit.range,
            context=types.CodeActionContext(diagnostics=[audit]),
        )
    )
    assert any("監査" in a.title for a in actions)


@pytest.mark.asyncio
async def test_outline(client: LanguageClient):
    uri = REGULATION.as_uri()
    await open_and_wait(client, uri, REGULATION.read_text(encoding="utf-8"))
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert [s.name.split()[0] for s in symbols[:3]] == ["第1章", "第2章", "第3章"]
