"""kiyaku as a pre-commit hook (.pre-commit-hooks.yaml), run by the real pre-commit from PyPI.

pre-commit clones this repository at its committed HEAD (uncommitted changes are not seen);
the `kiyaku` hook (editors/pre-commit/kiyaku-from-source) builds kiyaku there with
`cargo install --locked` on its first run, a release build. The build reuses the repository's target/
(CARGO_TARGET_DIR: its release dependencies are shared with the tests' and .ci/perf-guard's
builds — offline, so that cargo resolves to the locked versions — and only the kiyaku crate
itself is compiled again per install) and the
dictionary that .ci/prepare-dictionary left in target/lindera-dictionary-cache, so nothing but
crates is downloaded. The tests of the `kiyaku` hook name the repository in a
.pre-commit-config.yaml, as a policy repository does, and share the store
target/pre-commit-home, where a commit is installed once; `try-repo`, which clones into a
throw-away store every time, runs the `kiyaku-system` hook with the kiyaku under test.

Run from the repository root: python3 -m pytest tests/e2e/test_precommit.py
"""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from required import require_or_skip

require_or_skip("pre_commit", "pip install pre-commit")

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
        CARGO_TARGET_DIR=str(TARGET),
        LINDERA_BUILD_DICTIONARY_CACHE_DIR=str(TARGET / "lindera-dictionary-cache"),
        PRE_COMMIT_HOME=str(TARGET / "pre-commit-home"),
        # offline: nothing but what the tests' own build downloaded (the locked versions)
        CARGO_NET_OFFLINE="true",
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


def pre_commit(repo: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "pre_commit", *args], repo)


def use_hook_by_url(repo: pathlib.Path, head: str, hook: str = "kiyaku") -> None:
    """The set-up of the README: this repository and a commit in .pre-commit-config.yaml."""
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n      - id: {hook}\n",
        encoding="utf-8",
    )
    done = run(["git", "add", ".pre-commit-config.yaml"], repo, timeout=30)
    assert done.returncode == 0, output(done)


def test_try_repo_fails_on_an_incomplete_contract_with_its_diagnostics(head, policy_repo, tmp_path):
    # the installed kiyaku (kiyaku-system): try-repo clones into a throw-away store each time,
    # where the source hook would build kiyaku once more; the build from source is tested
    # by the tests below, which share one store
    env = environment()
    env["PATH"] = kiyaku_on_path(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "kiyaku-system",
         "--ref", head, "--color", "never", "--files", "contracts/incomplete.txt"],
        cwd=policy_repo, env=env, capture_output=True, text=True, timeout=300,
    )
    text = output(done)
    assert done.returncode == 1, text
    assert "Failed" in text, text
    assert "warning[missing-clause]" in text, text
    assert "consignment/staff-designation" in text, text
    assert "consignment/compliance-reporting" in text, text
    assert "contracts/incomplete.txt" in text, text


def test_a_complete_contract_passes(head, policy_repo):
    use_hook_by_url(policy_repo, head)
    done = pre_commit(policy_repo, "run", "--color", "never", "--files", "contracts/complete.txt")
    text = output(done)
    assert done.returncode == 0, text
    assert "Passed" in text, text
    # the hook installed kiyaku in pre-commit's checkout of the repository, not the benchmarks
    installed = {
        p.name for p in (TARGET / "pre-commit-home").glob("repo*/target/pre-commit-install/bin/*")
    }
    assert "kiyaku" in installed, installed
    assert "kiyaku-bench" not in installed, installed


def kiyaku_on_path(tmp_path: pathlib.Path) -> str:
    """A PATH whose first folder holds the kiyaku under test (KIYAKU_BIN, else the release
    build), as `cargo install` would leave it in ~/.cargo/bin."""
    binary = pathlib.Path(os.environ.get("KIYAKU_BIN") or TARGET / "release" / "kiyaku")
    if not binary.is_file():
        pytest.skip(f"no kiyaku binary at {binary} (cargo build, or set KIYAKU_BIN)")
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "kiyaku").symlink_to(binary)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


def test_the_system_hook_runs_the_installed_kiyaku(head, policy_repo, tmp_path):
    use_hook_by_url(policy_repo, head, "kiyaku-system")
    env = environment()
    env["PATH"] = kiyaku_on_path(tmp_path)
    args = [sys.executable, "-m", "pre_commit", "run", "--color", "never", "--files"]
    blocked = subprocess.run(
        [*args, "contracts/incomplete.txt"], cwd=policy_repo, env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert blocked.returncode == 1, output(blocked)
    assert "warning[missing-clause]" in output(blocked), output(blocked)
    assert "consignment/staff-designation" in output(blocked), output(blocked)
    passed = subprocess.run(
        [*args, "contracts/complete.txt"], cwd=policy_repo, env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert passed.returncode == 0, output(passed)
    assert "Passed" in output(passed), output(passed)


def test_the_system_hook_without_kiyaku_says_so(head, policy_repo, tmp_path):
    use_hook_by_url(policy_repo, head, "kiyaku-system")
    env = environment()
    # git and python stay reachable; no folder on this PATH holds a kiyaku
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("git", "sh"):
        found = shutil.which(tool)
        assert found, tool
        (folder / tool).symlink_to(found)
    env["PATH"] = str(folder)
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--color", "never", "--files",
         "contracts/complete.txt"],
        cwd=policy_repo, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode != 0, output(done)
    assert "Executable `kiyaku` not found" in output(done), output(done)


def test_commit_is_blocked_until_the_contract_is_complete(head, policy_repo):
    use_hook_by_url(policy_repo, head)
    done = pre_commit(policy_repo, "install")
    assert done.returncode == 0, output(done)

    blocked = run(["git", "commit", "-q", "-m", "contracts"], policy_repo)
    assert blocked.returncode != 0, output(blocked)
    assert "consignment/staff-designation" in output(blocked), output(blocked)

    run(["git", "rm", "-q", "--cached", "contracts/incomplete.txt"], policy_repo, timeout=30)
    allowed = run(["git", "commit", "-q", "-m", "the complete contract"], policy_repo)
    assert allowed.returncode == 0, output(allowed)
    done = run(["git", "log", "--name-only", "--format="], policy_repo, timeout=30)
    assert sorted(done.stdout.split()) == [".pre-commit-config.yaml", "contracts/complete.txt"]


def path_without_cargo(tmp_path: pathlib.Path, *extra: pathlib.Path) -> str:
    """This PATH with cargo and npm taken out (folders that hold them are replaced by a copy
    made of links to everything else in them), after the folders in `extra`."""
    hidden = {"cargo", "npm"}
    folders = []
    for i, entry in enumerate(os.environ["PATH"].split(os.pathsep)):
        folder = pathlib.Path(entry)
        if not any((folder / name).exists() for name in hidden):
            folders.append(entry)
            continue
        shadow = tmp_path / f"path-{i}"
        shadow.mkdir()
        for program in folder.iterdir():
            if program.name not in hidden:
                (shadow / program.name).symlink_to(program)
        folders.append(str(shadow))
    return os.pathsep.join([*(str(e) for e in extra), *folders])


def run_source_hook(policy_repo, head, tmp_path, path) -> subprocess.CompletedProcess:
    """The from-source hook in a store of its own (nothing built there yet)."""
    use_hook_by_url(policy_repo, head)
    env = environment()
    env["PATH"] = path
    env["PRE_COMMIT_HOME"] = str(tmp_path / "store")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--color", "never", "--files",
         "contracts/complete.txt"],
        cwd=policy_repo, env=env, capture_output=True, text=True, timeout=300,
    )


def test_the_source_hook_without_rust_says_what_to_do(head, policy_repo, tmp_path):
    done = run_source_hook(policy_repo, head, tmp_path, path_without_cargo(tmp_path))
    text = output(done)
    assert done.returncode != 0, text
    assert "Rust ツールチェーン（cargo）が見つかりません" in text, text
    assert "no Rust toolchain (cargo) was found" in text, text
    assert "kiyaku-system" in text, text


def test_the_source_hook_explains_a_dictionary_it_cannot_download(head, policy_repo, tmp_path):
    # a cargo that fails as lindera's build script does where its download host is out of reach
    stub = tmp_path / "stub"
    stub.mkdir()
    (stub / "cargo").write_text(
        "#!/bin/sh\n"
        "echo 'error: failed to run custom build command for `lindera-ipadic v6.2.0`' >&2\n"
        "echo 'Error: LinderaError { kind: Io, source: Failed to download a valid file from all sources }' >&2\n"
        "exit 101\n",
        encoding="utf-8",
    )
    (stub / "cargo").chmod(0o755)
    done = run_source_hook(policy_repo, head, tmp_path, path_without_cargo(tmp_path, stub))
    text = output(done)
    assert done.returncode != 0, text
    assert "lindera の日本語辞書（IPADIC）を用意できませんでした" in text, text
    assert "could not prepare lindera's Japanese dictionary" in text, text
    assert "Failed to download a valid file" in text, text  # the log's tail, shown
    assert "kiyaku-system" in text, text
