"""Apply exactly the reviewed plan: real Terraform, a built-in resource, no cloud.

`terraform_data` is Terraform's own resource (no provider to download), so these tests run
`init`, `plan -out`, `show -json` and `apply` for real in a temporary git repository.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from deploy import reviewed_plan as rp
from deploy.errors import Refused
from runtime.git import git_tree

NOW = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC)
STACK = "network"


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), *args],
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "HOME": str(root),
        },
    )


def _config(cwd: Path, **values: str) -> None:
    resources = {name: {"input": value} for name, value in values.items()}
    doc = {"resource": {"terraform_data": resources}} if resources else {}
    (cwd / "main.tf.json").write_text(json.dumps(doc))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    assert shutil.which("terraform"), "these tests need Terraform on PATH"
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README").write_text("reviewed\n")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "one")
    return root


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    cwd = tmp_path / "stack"
    cwd.mkdir()
    _config(cwd, bridge="v1")
    return cwd


def _save(repo: Path, workdir: Path, dest: Path, now: datetime.datetime = NOW) -> dict:
    return rp.save(
        STACK, workdir, dest, profile="adopt", environment="production", root=repo, now=now
    )


def _apply(repo: Path, workdir: Path, source: Path, **kwargs: object) -> None:
    defaults: dict[str, object] = {"profile": "adopt", "environment": "production"}
    rp.apply(STACK, workdir, source, root=repo, **(defaults | kwargs))  # type: ignore[arg-type]


def _state(workdir: Path) -> dict:
    return dict(json.loads((workdir / "terraform.tfstate").read_text()))


def test_save_writes_what_reviewers_read_and_what_gets_applied(
    repo: Path, workdir: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "plans" / STACK
    meta = _save(repo, workdir, dest)
    assert sorted(p.name for p in dest.iterdir()) == [
        "metadata.json",
        "plan.bin",
        "plan.json",
        "summary.txt",
    ]
    assert meta["tree"] == git_tree(repo) and len(meta["tree"]) == 40
    assert meta["plan_sha256"] == rp.sha256(dest / "plan.bin")
    assert meta["terraform_version"].count(".") == 2
    assert meta["created_at"] == NOW.isoformat()
    plan = json.loads((dest / "plan.json").read_text())
    assert [rc["change"]["actions"] for rc in plan["resource_changes"]] == [["create"]]
    assert " add" in (dest / "summary.txt").read_text()

    _apply(repo, workdir, dest, now=NOW + datetime.timedelta(hours=1))
    (resource,) = _state(workdir)["resources"]
    assert resource["instances"][0]["attributes"]["input"]["value"] == "v1"


def test_a_plan_changed_after_review_is_refused(repo: Path, workdir: Path, tmp_path: Path) -> None:
    dest = tmp_path / "plans" / STACK
    _save(repo, workdir, dest)
    _config(workdir, bridge="v2")  # the attacker's version, planned into the same file name
    other = tmp_path / "other"
    _save(repo, workdir, other)
    shutil.copy(other / "plan.bin", dest / "plan.bin")
    with pytest.raises(Refused, match=r"SHA-256 differs from metadata\.json: changed after review"):
        _apply(repo, workdir, dest, now=NOW)
    assert not (workdir / "terraform.tfstate").exists()


def test_a_consistent_artifact_of_another_configuration_is_refused(
    repo: Path, workdir: Path, tmp_path: Path
) -> None:
    """Finding 1: another pull request plans its own configuration and uploads metadata that
    matches its plan.bin (same tree name, right SHA-256). The checkout synthesizes the merged
    configuration; the configuration inside plan.bin is not it."""
    dest = tmp_path / "plans" / STACK
    _config(workdir, bridge="attacker")
    _save(repo, workdir, dest)  # a consistent artifact: metadata, SHA-256 and tree all match
    _config(workdir, bridge="v1")  # what the deploy's checkout synthesizes
    with pytest.raises(Refused, match=r"planned from another configuration than this checkout"):
        _apply(repo, workdir, dest, now=NOW)
    assert not (workdir / "terraform.tfstate").exists()


def test_a_plan_only_people_may_apply_is_refused_before_anything_runs(
    repo: Path, tmp_path: Path
) -> None:
    """The `identity` stack (workload roles) is people's: its plan never goes through CI."""
    cwd = tmp_path / "identity"
    cwd.mkdir()
    _config(cwd, role="fluxion-production-events")
    dest = tmp_path / "plans" / "identity"
    rp.save("identity", cwd, dest, profile="adopt", environment="production", root=repo, now=NOW)
    assert "needs a person: terraform_data.role: create (the identity stack)" in (
        (dest / "summary.txt").read_text()
    )
    refusal = r"identity: 1 change\(s\) only a person may apply .* `make deploy-stack STACK="
    with pytest.raises(Refused, match=refusal + r"identity` with your own credentials"):
        rp.apply("identity", cwd, dest, profile="adopt", environment="production", root=repo,
                 now=NOW)  # fmt: skip
    assert not (cwd / "terraform.tfstate").exists()


def test_a_plan_from_another_tree_is_refused(repo: Path, workdir: Path, tmp_path: Path) -> None:
    dest = tmp_path / "plans" / STACK
    _save(repo, workdir, dest)
    (repo / "README").write_text("merged something else\n")
    _git(repo, "commit", "-qam", "two")
    with pytest.raises(
        Refused, match=r"planned from tree .* this checkout is tree .* plan it again"
    ):
        _apply(repo, workdir, dest, now=NOW)


def test_the_same_tree_under_another_commit_is_accepted(
    repo: Path, workdir: Path, tmp_path: Path
) -> None:
    """A pull request that was up to date with main merges to the same tree, new commit."""
    dest = tmp_path / "plans" / STACK
    meta = _save(repo, workdir, dest)
    _git(repo, "commit", "-q", "--allow-empty", "-m", "merge commit")
    assert git_tree(repo) == meta["tree"]
    _apply(repo, workdir, dest, now=NOW)
    assert _state(workdir)["resources"]


def test_an_old_plan_is_refused(repo: Path, workdir: Path, tmp_path: Path) -> None:
    dest = tmp_path / "plans" / STACK
    _save(repo, workdir, dest)
    with pytest.raises(Refused, match=r"the plan is 25.0 h old \(limit 24 h\): plan again"):
        _apply(repo, workdir, dest, now=NOW + datetime.timedelta(hours=25))


def test_a_plan_whose_state_moved_on_is_refused_by_terraform(
    repo: Path, workdir: Path, tmp_path: Path
) -> None:
    first = tmp_path / "first"
    _save(repo, workdir, first)
    second = tmp_path / "second"
    _save(repo, workdir, second)
    _apply(repo, workdir, second, now=NOW)  # someone deployed in between
    with pytest.raises(Refused, match=r"(?i)saved plan is stale"):
        _apply(repo, workdir, first, now=NOW)


def test_a_plan_the_guard_refuses_is_not_applied(repo: Path, workdir: Path, tmp_path: Path) -> None:
    created = tmp_path / "created"
    _save(repo, workdir, created)
    _apply(repo, workdir, created, now=NOW)
    _config(workdir)  # the resource removed from the code: the plan destroys it
    dest = tmp_path / "destroy"
    meta = _save(repo, workdir, dest)
    assert meta["guard_passed"] is False
    assert "destroy" in (dest / "summary.txt").read_text()
    with pytest.raises(Refused, match=r"the reviewed plan fails the guard; nothing was applied"):
        _apply(repo, workdir, dest, now=NOW)
    assert _state(workdir)["resources"], "still there"


def _meta(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "stack": STACK,
        "profile": "adopt",
        "environment": "production",
        "tree": "a" * 40,
        "commit": "b" * 40,
        "created_at": NOW.isoformat(),
        "plan_sha256": "",
    }
    return base | changes


@pytest.mark.parametrize(
    ("meta", "tree", "dirty", "message"),
    [
        (_meta(stack="data"), "a" * 40, False, "stack 'data' is not 'network'"),
        (_meta(profile="hardened"), "a" * 40, False, "profile 'hardened' is not 'adopt'"),
        (_meta(environment="staging"), "a" * 40, False, "environment 'staging' is not"),
        (_meta(), "a" * 40, True, "uncommitted changes"),
        (_meta(), None, False, "this checkout is tree None"),
        (_meta(created_at="yesterday"), "a" * 40, False, "created_at 'yesterday' is not a time"),
    ],
)
def test_check_rules(
    tmp_path: Path, meta: dict[str, object], tree: str | None, dirty: bool, message: str
) -> None:
    plan = tmp_path / "plan.bin"
    plan.write_bytes(b"plan")
    meta["plan_sha256"] = rp.sha256(plan)
    with pytest.raises(Refused, match=message):
        rp.check(
            meta,
            plan,
            stack=STACK,
            profile="adopt",
            environment="production",
            tree=tree,
            dirty=dirty,
            now=NOW,
        )


def test_missing_artifacts_are_refused(repo: Path, workdir: Path, tmp_path: Path) -> None:
    with pytest.raises(Refused, match=r"metadata\.json is missing: download the reviewed plan"):
        _apply(repo, workdir, tmp_path / "nothing", now=NOW)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "metadata.json").write_text("{not json")
    with pytest.raises(Refused, match=r"metadata\.json: not JSON"):
        _apply(repo, workdir, tmp_path / "bad", now=NOW)


def test_save_refuses_a_dirty_tree(repo: Path, workdir: Path, tmp_path: Path) -> None:
    (repo / "README").write_text("edited, not committed\n")
    with pytest.raises(Refused, match=r"uncommitted changes: a saved plan must come from a commit"):
        _save(repo, workdir, tmp_path / "plans")


def test_the_cli_says_one_line_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = rp.main(["apply", "--stack", STACK, "--out", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("refused: ") and err.count("\n") == 1


def test_a_reviewed_plan_is_not_applied_from_a_dirty_checkout(
    repo: Path, workdir: Path, tmp_path: Path
) -> None:
    """The checkout the apply runs in is the reviewed one, untouched: an edited file stops it."""
    dest = tmp_path / "plans" / STACK
    _save(repo, workdir, dest)
    (repo / "README").write_text("edited after review\n")
    with pytest.raises(Refused, match=r"uncommitted changes"):
        _apply(repo, workdir, dest, now=NOW)
    assert not (workdir / "terraform.tfstate").exists(), "nothing applied"


def test_the_apply_command_refuses_a_dirty_checkout_in_one_line(
    synth_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """`make apply-reviewed` (python -m deploy.reviewed_plan apply) on a checkout that is dirty
    now, from an output synthesized clean at the same commit."""
    out = tmp_path / "out"
    shutil.copytree(synth_dir, out)
    stamp = json.loads((out / "synth.json").read_text())
    clean = {**stamp, "commit": "c" * 40, "dirty": False, "inventory_entries": 0}  # fresh estate
    (out / "synth.json").write_text(json.dumps(clean))
    monkeypatch.setattr(rp, "git_state", lambda _root: ("c" * 40, True))
    applied: list[str] = []
    monkeypatch.setattr(rp, "apply", lambda stack, *_a, **_k: applied.append(stack))
    checked: list[str] = []  # the caller's account is checked against the environment's
    monkeypatch.setattr(rp, "check_account", lambda expected: checked.append(expected.name))
    argv = ["apply", "--stack", "network", "--from", str(tmp_path), "--out", str(out)]
    assert rp.main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("refused: the git tree has uncommitted changes"), line
    assert applied == []
    monkeypatch.setattr(rp, "git_state", lambda _root: ("c" * 40, False))
    assert rp.main(argv) == 0 and applied == ["network"], "clean: the same command applies"
    assert checked == ["production"]


def test_save_refuses_another_account_s_credentials_before_planning(
    synth_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """A staging plan made with production's credentials (or the reverse) is never saved."""
    from deploy import ordered

    monkeypatch.setattr(ordered, "_caller_account", lambda: "730335291745")
    planned: list[str] = []
    monkeypatch.setattr(rp, "save", lambda stack, *_a, **_k: planned.append(stack))
    argv = ["save", "--stack", "network", "--to", str(tmp_path), "--out", str(synth_dir)]
    assert rp.main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        "refused: credentials: account 730335291745 is not production's (611395766952): use "
        "the environment's own credentials"
    )
    assert planned == []
