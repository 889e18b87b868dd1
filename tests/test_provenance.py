"""Which plans a push may apply (finding 1), and the environments' reviewers (finding 7).

Against GitHub API answers in the shape the API documents (tests/fixtures/github/README.md):
served on 127.0.0.1 to the commands as CI runs them, and handed to the selection logic
directly for the variations an attacker would try.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from deploy import provenance
from deploy.errors import Refused
from review import github
from tests.conftest import run_main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests/fixtures/github"
REPO = "fluxion-ai/fluxion-infra"
MERGE = "5f1d3c2a9b8e7d6c5b4a39281706f5e4d3c2b1a0"
HEAD = "a42a42a42a42a42a42a42a42a42a42a42a42a42a"
TREE = "7c1e0b9a8f7e6d5c4b3a29180f7e6d5c4b3a2918"
STACKS = ["network", "data", "compute", "edge"]
REVIEWED_RUN = 12000000901
ATTACKER_RUN = 12000000903


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def answers() -> dict[str, Any]:
    """API path (query dropped) -> answer, for the recorded scenario."""
    return {
        f"/repos/{REPO}/commits/{MERGE}/pulls": _load(f"commit-{MERGE}-pulls.json"),
        f"/repos/{REPO}/actions/workflows/infra-pr.yml/runs": _load(f"runs-infra-pr-{HEAD}.json"),
        f"/repos/{REPO}/actions/runs/{REVIEWED_RUN}/artifacts": _load(
            f"artifacts-{REVIEWED_RUN}.json"
        ),
        f"/repos/{REPO}/actions/runs/{ATTACKER_RUN}/artifacts": _load(
            f"artifacts-{ATTACKER_RUN}.json"
        ),
        f"/repos/{REPO}/environments": _load("environments-protected.json"),
    }


def fetcher(table: dict[str, Any]) -> provenance.Fetch:
    asked: list[str] = []

    def fetch(path: str) -> Any:
        asked.append(path)
        return copy.deepcopy(table[path.split("?")[0]])

    fetch.asked = asked  # type: ignore[attr-defined]
    return fetch


def _find(table: dict[str, Any]) -> provenance.Provenance:
    return provenance.find(fetcher(table), REPO, MERGE, TREE, STACKS)


def test_the_merged_pull_requests_own_run_is_chosen() -> None:
    found = _find(answers())
    assert found.pull_request == 42 and found.head_sha == HEAD
    assert found.run_id == REVIEWED_RUN
    assert found.artifacts == {s: 4100000100 + i for i, s in enumerate(STACKS)}


def test_another_pull_requests_run_with_the_same_artifact_names_is_never_chosen() -> None:
    """#43 (never merged) edited its own workflow and uploaded plans named after #42's tree,
    later than #42's run. Even when the API lists its run beside #42's, it is not #42's run
    on #42's head, so its artifacts are never read."""
    table = answers()
    attacker = next(
        r
        for r in table[f"/repos/{REPO}/actions/workflows/infra-pr.yml/runs"]["workflow_runs"]
        if r["id"] == ATTACKER_RUN
    )
    assert attacker["created_at"] > "2026-12-02T09:40:11Z"  # it is the newest run listed
    fetch = fetcher(table)
    found = provenance.find(fetch, REPO, MERGE, TREE, STACKS)
    assert found.run_id == REVIEWED_RUN
    assert not [p for p in fetch.asked if str(ATTACKER_RUN) in p]  # type: ignore[attr-defined]
    # and were it to claim #42's head, it is still not one of #42's runs
    attacker["head_sha"] = HEAD
    assert _find(table).run_id == REVIEWED_RUN


def _runs(table: dict[str, Any]) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = table[f"/repos/{REPO}/actions/workflows/infra-pr.yml/runs"][
        "workflow_runs"
    ]
    return runs


def _reviewed(table: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in _runs(table) if r["id"] == REVIEWED_RUN)


def _alone(table: dict[str, Any], key: str, value: Any) -> None:
    """The reviewed run, edited, with #42's earlier failed run gone (so the refusal is about
    the edited field, not about the run left over)."""
    runs = _runs(table)
    runs[:] = [r for r in runs if r["id"] != 12000000877]
    _reviewed(table)[key] = value


def _edit_pull_request(table: dict[str, Any], **changes: Any) -> None:
    for key, value in changes.items():
        target = table[f"/repos/{REPO}/commits/{MERGE}/pulls"][0]
        *path, last = key.split("__")
        for part in path:
            target = target[part]
        target[last] = value


REFUSALS = [
    ("a direct push: no pull request merged as this commit",
     lambda t: t.__setitem__(f"/repos/{REPO}/commits/{MERGE}/pulls", []),
     r"is not the merge of exactly one pull request into main \(found 0\)"),
    ("a pull request still open",
     lambda t: _edit_pull_request(t, merged_at=None),
     r"found 0"),
    ("a pull request merged into another branch",
     lambda t: _edit_pull_request(t, base__ref="release"),
     r"found 0"),
    ("a pull request from a fork",
     lambda t: _edit_pull_request(t, head__repo__full_name="someone/fluxion-infra"),
     r"comes from 'someone/fluxion-infra'"),
    ("the run of another workflow file",
     lambda t: _alone(t, "path", ".github/workflows/release-notes.yml"),
     r"no run of \.github/workflows/infra-pr\.yml on its head"),
    ("a workflow file whose name only ends like it",
     lambda t: _alone(t, "path", ".github/workflows/not-infra-pr.yml"),
     r"no run of \.github/workflows/infra-pr\.yml on its head"),
    ("a run on another commit than the pull request's head",
     lambda t: _alone(t, "head_sha", "e" * 40),
     r"no run of"),
    ("a run of another repository",
     lambda t: _alone(t, "repository", {"full_name": "someone/fluxion-infra"}),
     r"no run of"),
    ("a run of another pull request",
     lambda t: _alone(t, "pull_requests", [{"number": 99999}]),
     r"no run of"),
    ("a run not of a pull request",
     lambda t: _alone(t, "event", "workflow_dispatch"),
     r"no run of"),
    ("a run from a fork's head repository",
     lambda t: _alone(t, "head_repository", {"full_name": "someone/x"}),
     r"no run of"),
    ("without the reviewed run, the earlier failed one is not enough",
     lambda t: _runs(t).remove(_reviewed(t)),
     r"run 12000000877 ended 'failure', not success"),
    ("the newest run failed",
     lambda t: _reviewed(t).__setitem__("conclusion", "failure"),
     r"ended 'failure', not success"),
    ("an expired plan",
     lambda t: t[f"/repos/{REPO}/actions/runs/{REVIEWED_RUN}/artifacts"]["artifacts"][1]
     .__setitem__("expired", True),
     r"has no plan of tree 7c1e0b9a8f7e for data"),
    ("a plan of another tree (the pull request was behind main)",
     lambda t: [a.__setitem__("name", a["name"].replace(TREE, "f" * 40)) for a in
                t[f"/repos/{REPO}/actions/runs/{REVIEWED_RUN}/artifacts"]["artifacts"]],
     r"has no plan of tree .* for network, data, compute, edge"),
    ("an artifact listed under the run but uploaded by another",
     lambda t: t[f"/repos/{REPO}/actions/runs/{REVIEWED_RUN}/artifacts"]["artifacts"][0]
     ["workflow_run"].__setitem__("id", ATTACKER_RUN),
     r"for network"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "edit", "message"), REFUSALS, ids=[c[0] for c in REFUSALS])
def test_every_other_provenance_is_refused(case: str, edit: Any, message: str) -> None:
    table = answers()
    edit(table)
    with pytest.raises(Refused, match=message):
        _find(table)


class _Api(BaseHTTPRequestHandler):
    table: ClassVar[dict[str, Any]] = {}
    token = "test-token-not-a-secret"

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        authorized = self.headers.get("Authorization") == f"Bearer {self.token}"
        status = 200 if authorized and path in self.table else (401 if not authorized else 404)
        body = json.dumps(self.table.get(path, {"message": "Not Found"})).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def api() -> Iterator[tuple[str, dict[str, Any]]]:
    table = answers()
    handler = type("Api", (_Api,), {"table": table})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", table
    finally:
        server.shutdown()
        server.server_close()


IN_PROCESS = False


def _cli(module: str, url: str, *args: str, token: str = _Api.token) -> subprocess.CompletedProcess:
    """The command as the deploy job runs it: a process, or `main()` in this one (IN_PROCESS:
    what mutation testing sees); each test below runs both ways."""
    env = {"PATH": "/usr/bin:/bin", "GITHUB_API_URL": url, "GH_TOKEN": token}
    if IN_PROCESS:
        return run_main(module, *args, env=env, cwd=ROOT)
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.fixture(params=["process", "in-process"])
def either_way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "IN_PROCESS", request.param == "in-process")


@pytest.mark.usefixtures("either_way")
def test_the_deploy_job_gets_the_run_and_artifacts_to_download(
    api: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    url, _ = api
    output = tmp_path / "github-output"
    proc = _cli("deploy.provenance", url, "--repository", REPO, "--commit", MERGE, "--tree",
                TREE, "--stacks", *STACKS, "--github-output", str(output))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "reviewed: pull request #42" in proc.stdout
    written = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert written["run_id"] == str(REVIEWED_RUN) and written["tree"] == TREE
    assert written["artifact_network"] == "4100000100"


@pytest.mark.usefixtures("either_way")
def test_the_deploy_job_is_refused_in_one_line(
    api: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    url, table = api
    _reviewed(table)["conclusion"] = "cancelled"
    output = tmp_path / "github-output"
    proc = _cli("deploy.provenance", url, "--repository", REPO, "--commit", MERGE, "--tree",
                TREE, "--stacks", *STACKS, "--github-output", str(output))  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("refused: pull request #42: its newest") and (
        proc.stderr.count("\n") == 1
    )
    assert not output.exists(), "nothing for the download steps"
    wrong = _cli("deploy.provenance", url, "--repository", REPO, "--commit", MERGE, "--tree",
                 TREE, "--stacks", *STACKS, token="expired")  # fmt: skip
    assert wrong.returncode == 2 and "HTTP 401" in wrong.stderr and wrong.stderr.count("\n") == 1


# --- the environments' reviewers (make github-check) ------------------------------------------


@pytest.mark.usefixtures("either_way")
def test_protected_environments_pass(api: tuple[str, dict[str, Any]]) -> None:
    url, _ = api
    proc = _cli("review.github", url, "--repository", REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == (
        f"ok {REPO}: network, data, compute, edge, staging-network, staging-data, "
        "staging-compute, staging-edge each need a reviewer's approval; drift, staging-drift "
        "run from protected branches only\n"
    )


@pytest.mark.usefixtures("either_way")
def test_each_gap_in_the_settings_is_one_failing_line(api: tuple[str, dict[str, Any]]) -> None:
    url, table = api
    table[f"/repos/{REPO}/environments"] = _load("environments-gaps.json")
    proc = _cli("review.github", url, "--repository", REPO)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f"FAIL {REPO}: drift: deployable from any branch: restrict it to protected branches",
        f"FAIL {REPO}: data: reviewers may approve their own run (prevent self-review)",
        f"FAIL {REPO}: compute: no required reviewers: a run applies without a person",
        f"FAIL {REPO}: edge: no such environment: create it with required reviewers",
    ]


@pytest.mark.usefixtures("either_way")
def test_the_check_needs_a_token(api: tuple[str, dict[str, Any]]) -> None:
    url, _ = api
    proc = _cli("review.github", url, "--repository", REPO, token="")
    assert proc.returncode == 2 and proc.stderr.startswith("error: GH_TOKEN: not set")


def test_the_settings_check_reads_what_github_returns() -> None:
    table = answers()
    assert github.problems(fetcher(table), REPO, ("network", "data")) == []
    table[f"/repos/{REPO}/environments"]["environments"][0]["deployment_branch_policy"] = None
    assert github.problems(fetcher(table), REPO, ("network",)) == [
        "network: deployable from any branch: restrict it to protected branches"
    ]
