"""kiyaku as a pre-commit hook (.pre-commit-hooks.yaml), run by the real pre-commit from PyPI.

pre-commit clones this repository at its committed HEAD and builds kiyaku with
`cargo install` (a release build). The build reuses target/pre-commit (CARGO_TARGET_DIR)
and the dictionary that .ci/prepare-dictionary left in target/lindera-dictionary-cache, so
nothing is downloaded but crates; pre-commit's store is target/pre-commit-home, so a second
run at the same commit installs nothing. Uncommitted changes to the hook are not seen.

Run from the repository root: python3 -m pytest tests/e2e/test_precommit.py
"""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install pre-commit)")

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARGET = ROOT / "target"
CONTRACTS = ROOT / "tests" / "corpus" / "contracts"
# tests/corpus/labels/contracts.toml: 01 has all twelve items; 02 misses
# consignment/compliance-reporting and consignment/staff-designation.
COMPLETE = CONTRACTS / "01-gyomu-itaku-kou-otsu.txt"
INCOMPLETE = CONTRACTS / "02-oboegaki-itakusha-jutakusha.txt"
INSTALL_TIMEOUT = 1800  # the first run builds kiyaku and its dependencies in release mode


def environment() -> dict:
    env = dict(os.environ)
    env.update(
        CARGO_TARGET_DIR=str(TARGET / "pre-commit"),
        LINDERA_BUILD_DICTIONARY_CACHE_DIR=str(TARGET / "lindera-dictionary-cache"),
        PRE_COMMIT_HOME=str(TARGET / "pre-commit-home"),
        CARGO_TERM_COLOR="never",
        GIT_AUTHOR_NAME="kiyaku test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="kiyaku test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
    )
    return env


def run(args, cwd, timeout=INSTALL_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env=environment(), capture_output=True, text=True, timeout=timeout
    )


def output(done: subprocess.CompletedProcess) -> str:
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def head() -> str:
    if not any((TARGET / "lindera-dictionary-cache").glob("*/lindera-ipadic/metadata.json")):
        pytest.fail("the dictionary is not prepared: run bash .ci/prepare-dictionary first")
    done = run(["git", "rev-parse", "HEAD"], ROOT, timeout=30)
    assert done.returncode == 0, output(done)
    return done.stdout.strip()


@pytest.fixture
def policy_repo(tmp_path: pathlib.Path) -> pathlib.Path:
    """A fresh git repository holding one incomplete and one complete contract."""
    repo = tmp_path / "policies"
    (repo / "contracts").mkdir(parents=True)
    shutil.copy(INCOMPLETE, repo / "contracts" / "incomplete.txt")
    shutil.copy(COMPLETE, repo / "contracts" / "complete.txt")
    for args in (["git", "init", "-q"], ["git", "add", "."]):
        done = run(args, repo, timeout=30)
        assert done.returncode == 0, output(done)
    return repo


def try_repo(head: str, repo: pathlib.Path, *files: str) -> subprocess.CompletedProcess:
    return run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "kiyaku",
         "--ref", head, "--color", "never", "--files", *files],
        repo,
    )


def test_incomplete_contract_fails_with_the_diagnostic(head, policy_repo):
    done = try_repo(head, policy_repo, "contracts/incomplete.txt")
    text = output(done)
    assert done.returncode == 1, text
    assert "Failed" in text, text
    assert "warning[missing-clause]" in text, text
    assert "consignment/staff-designation" in text, text
    assert "consignment/compliance-reporting" in text, text
    assert "contracts/incomplete.txt" in text, text


def test_complete_contract_passes(head, policy_repo):
    done = try_repo(head, policy_repo, "contracts/complete.txt")
    text = output(done)
    assert done.returncode == 0, text
    assert "Passed" in text, text


def test_commit_is_blocked_until_the_contract_is_complete(head, policy_repo):
    """The set-up of the README: the hook by repository URL, `pre-commit install`, `git commit`."""
    (policy_repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n      - id: kiyaku\n",
        encoding="utf-8",
    )
    done = run([sys.executable, "-m", "pre_commit", "install"], policy_repo, timeout=60)
    assert done.returncode == 0, output(done)
    run(["git", "add", "."], policy_repo, timeout=30)

    blocked = run(["git", "commit", "-q", "-m", "contracts"], policy_repo)
    assert blocked.returncode != 0, output(blocked)
    assert "consignment/staff-designation" in output(blocked), output(blocked)

    run(["git", "rm", "-q", "--cached", "contracts/incomplete.txt"], policy_repo, timeout=30)
    allowed = run(["git", "commit", "-q", "-m", "the complete contract"], policy_repo)
    assert allowed.returncode == 0, output(allowed)
    done = run(["git", "log", "--name-only", "--format="], policy_repo, timeout=30)
    assert done.stdout.split() == [".pre-commit-config.yaml", "contracts/complete.txt"]
