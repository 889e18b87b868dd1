"""`make mutants`: mutation testing of the safety nets, with a budget of surviving mutants.

mutmut 3 (pinned in the Pipfile) copies the tree to `mutants/`, plants one small bug at a
time in the modules `[tool.mutmut] only_mutate` names (pyproject.toml: the security and plan
gates, the deploy guard, the reviewed-plan apply, the provenance, the guarded cdktf, the
adoption, the config rules, the ops confirmations; docs/tests.md says why not yet the
replacement guard) and runs only the tests that reach the mutated function. A mutant no test
notices *survived*.

Why mutmut rather than cosmic-ray or pytest-gremlins: it runs each mutant in a fork of one
warm pytest process with only the tests that reach it (cosmic-ray starts the whole test
command per mutant: hours for this suite), it keeps its results between runs, and it is
actively released (3.8.1, October 2026).
pytest-gremlins is younger and smaller. What it cannot see: module-level code (the config values are
built at import), and a function reached only from a subprocess is "no tests" (counted as
surviving here: a front-door test alone does not count).

This script is the budget around it (tests/mutants.toml):
- `[[shard]]`: mutants by glob (a module, or a module's functions), in groups of about equal
  run time, each with its `budget`: how many may survive there, equivalent ones not counted.
  A ratchet: lower it when a test kills more, never raise it to make a run pass. `.ci/run`
  runs one shard (`--shard auto`: chosen by the commit, so consecutive commits cover them
  all); `make mutants` runs all of them.
- `[equivalent]`: mutants that cannot change behaviour, each with the reason.

It prints a table (mutants, killed, surviving, equivalent, score per module), writes it with
every survivor's diff to the report, and exits 1 when a shard is over its budget, 2 when
mutmut did not run or finish (no result for a shard, a mutant not checked).
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "tests" / "mutants.toml"
WORK = ROOT / "mutants"
"""mutmut's working folder (its copy of the tree and its results), where the run's log goes."""
MUTMUT = [str(Path(sys.executable).with_name("mutmut"))]
"""Its own script: mutmut warns against `python -m mutmut run` (its main module re-executed)."""
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
"""A mutant that made a test fail, hang or crash: noticed."""
SURVIVED = {"survived", "no tests", "suspicious", "skipped"}
"""Not noticed by any test. `not checked` (mutmut did not get to it) is an error, not a result."""
RETRIED = {"suspicious"}
"""Not a verdict: mutmut's name for a mutant whose test process ended some other way than a pass,
a failure or a timeout (a signal, an unexpected exit code: `tests/jsii_lock.py` exits so when a
killed mutant left the shared jsii kernel mid-answer). Run once more, one at a time, in a new
mutmut process (a new kernel); still so, it counts as surviving."""
LINKED = (".tools", "node_modules")
"""Linked into mutants/, not copied: the tools' environments, read-only and large."""


@dataclass
class Row:
    """One module's results (of the mutants that ran)."""

    module: str
    killed: int = 0
    survivors: list[str] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.killed + len(self.survivors) + len(self.equivalent)

    @property
    def score(self) -> float:
        """Killed share of the mutants that could be killed (equivalent ones left out)."""
        counted = self.killed + len(self.survivors)
        return 100.0 * self.killed / counted if counted else 0.0


@dataclass(frozen=True)
class Shard:
    """Mutants (mutmut names, globs) that run together, and how many may survive."""

    name: str
    globs: tuple[str, ...]
    budget: int

    def has(self, mutant: str) -> bool:
        return any(fnmatch.fnmatchcase(mutant, glob) for glob in self.globs)


def shards(settings: dict[str, Any]) -> list[Shard]:
    return [Shard(s["name"], tuple(s["globs"]), s["budget"]) for s in settings["shard"]]


def parse_results(text: str) -> dict[str, str]:
    """`mutmut results --all true` lines (`    <mutant>: <status>`) as {mutant: status}."""
    results: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, status = line.strip().partition(": ")
        if sep and "__mutmut_" in name:
            results[name] = status
    return results


def module_of(mutant: str) -> str:
    """`deploy.reviewed_plan.x_apply__mutmut_5` -> `deploy.reviewed_plan`."""
    return mutant.rpartition(".")[0]


def choose(all_shards: list[Shard], choice: str, head: str) -> list[Shard]:
    """`all`, `K/N` (1-based, N the number of shards) or `auto` (from the commit `head`)."""
    if choice == "all":
        return all_shards
    if choice == "auto":
        return [all_shards[int(head[:8], 16) % len(all_shards)]]
    k, _, n = choice.partition("/")
    if not (k.isdigit() and n == str(len(all_shards)) and 1 <= int(k) <= len(all_shards)):
        raise ValueError(f"--shard {choice!r}: expected all, auto or K/{len(all_shards)}")
    return [all_shards[int(k) - 1]]


@dataclass
class Verdict:
    """Per module rows; per shard surviving counts; errors (the run proves nothing)."""

    rows: list[Row]
    surviving: dict[str, int]
    errors: list[str]
    statuses: dict[str, str] = field(default_factory=dict)
    """Surviving mutant -> mutmut's status, where it is not plain `survived`."""

    def over(self, chosen: list[Shard]) -> list[str]:
        return [
            f"{s.name}: {self.surviving[s.name]} surviving, budget {s.budget}"
            for s in chosen
            if self.surviving[s.name] > s.budget
        ]


def judge(results: dict[str, str], chosen: list[Shard], equivalent: dict[str, str]) -> Verdict:
    rows: dict[str, Row] = {}
    surviving = {s.name: 0 for s in chosen}
    errors: list[str] = []
    statuses: dict[str, str] = {}
    ran = {s.name: 0 for s in chosen}
    for mutant, status in sorted(results.items()):
        shard = next((s for s in chosen if s.has(mutant)), None)
        if shard is None:
            continue
        if status not in KILLED | SURVIVED:
            errors.append(f"{mutant}: {status} (mutmut did not finish it)")
            continue
        ran[shard.name] += 1
        row = rows.setdefault(module_of(mutant), Row(module_of(mutant)))
        if status in KILLED:
            row.killed += 1
        elif status in SURVIVED and mutant in equivalent:
            row.equivalent.append(mutant)
        else:
            row.survivors.append(mutant)
            surviving[shard.name] += 1
            if status != "survived":
                statuses[mutant] = status
    errors += [f"shard {n}: no mutant was run (did mutmut run?)" for n, k in ran.items() if not k]
    return Verdict(sorted(rows.values(), key=lambda r: r.module), surviving, errors, statuses)


def to_retry(results: dict[str, str], chosen: list[Shard]) -> list[str]:
    """The chosen shards' mutants whose status is no verdict (`RETRIED`), to run once more."""
    return sorted(m for m, st in results.items() if st in RETRIED and any(s.has(m) for s in chosen))


def statuses_line(verdict: Verdict) -> str:
    """How many survivors are not plain `survived` (no tests, suspicious, skipped), by status."""
    counts: dict[str, int] = {}
    for status in verdict.statuses.values():
        counts[status] = counts.get(status, 0) + 1
    shown = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return f"surviving, not plain 'survived': {shown or 'none'}"


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| module | mutants | killed | surviving | equivalent | score |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.module} | {r.total} | {r.killed} | {len(r.survivors)} | {len(r.equivalent)}"
            f" | {r.score:.1f}% |"
        )
    killed = sum(r.killed for r in rows)
    counted = killed + sum(len(r.survivors) for r in rows)
    lines.append(f"| all | {sum(r.total for r in rows)} | {killed} | {counted - killed} |"
                 f" {sum(len(r.equivalent) for r in rows)} | "
                 f"{100.0 * killed / counted if counted else 0.0:.1f}% |")  # fmt: skip
    return lines


SHOW = """
import json, sys
from mutmut.__main__ import find_mutant, get_diff_for_mutant
print(json.dumps({n: get_diff_for_mutant(n, path=find_mutant(n).path) for n in sys.argv[1:]}))
"""
"""`mutmut show` for many mutants in one process (its own functions; mutmut is pinned)."""


def _diffs(mutants: list[str]) -> dict[str, str]:
    if not mutants:
        return {}
    proc = subprocess.run([sys.executable, "-c", SHOW, *mutants], cwd=ROOT, capture_output=True,
                          text=True)  # fmt: skip
    shown: dict[str, str] = json.loads(proc.stdout) if proc.returncode == 0 else {}
    return shown


def report(verdict: Verdict, chosen: list[Shard], equivalent: dict[str, str]) -> str:
    parts = ["# Mutation testing", "", *table(verdict.rows), "", "| shard | surviving | budget |",
             "|---|---:|---:|"]  # fmt: skip
    parts += [f"| {s.name} | {verdict.surviving[s.name]} | {s.budget} |" for s in chosen]
    parts += ["", "## Equivalent (not counted)", ""]
    parts += [f"- `{m}`: {equivalent[m]}" for r in verdict.rows for m in r.equivalent]
    parts += ["", "## Surviving", ""]
    survivors = [m for r in verdict.rows for m in r.survivors]
    diffs = _diffs(survivors)
    for mutant in survivors:
        shown = diffs.get(mutant, f"(python -m mutmut show {mutant})")
        status = f" ({verdict.statuses[mutant]})" if mutant in verdict.statuses else ""
        parts += [f"### {mutant}{status}", "", "```diff", shown.strip(), "```", ""]
    return "\n".join(parts)


FINGERPRINTED = ("tests", "pyproject.toml", "Pipfile.lock", "package-lock.json")
"""Read by the tests besides what mutmut copies (`[tool.mutmut]` source_paths, also_copy)."""


def fingerprint(root: Path = ROOT) -> str:
    """A hash of every file the mutants' tests can read: the mutated code, the rest of the code
    mutmut copies, the tests themselves and the locked packages."""
    scope = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["mutmut"]
    digest = hashlib.sha256()
    for name in sorted({*scope["source_paths"], *scope["also_copy"], *FINGERPRINTED}):
        path = root / name
        files = [path] if path.is_file() else sorted(path.rglob("*"))
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(f"{file.relative_to(root)}\0".encode() + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _results() -> dict[str, str]:
    """Every mutant's status, as `mutmut results --all true` lists them."""
    listed = subprocess.run(
        [*MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True
    )
    return parse_results(listed.stdout)


def _prepare(root: Path = ROOT) -> str:
    """mutants/ with the tools linked (mutmut copies the rest and keeps its results there).

    This script names the shard's mutants, so mutmut tests each of them again on every run;
    what it reuses is its map of which tests reach which function (measured again only for
    new test names: a changed test keeps its old map) and its copy of the tree (a deleted
    test stays in it). So mutants/ is reused only for the same fingerprint; otherwise it is
    removed and the run starts over, as a clean checkout (CI) does. Says which it was."""
    mutants, now = root / "mutants", fingerprint(root)
    stamp = mutants / "fingerprint"
    said = "earlier results reused (same code and tests)"
    if mutants.exists() and (not stamp.is_file() or stamp.read_text() != now):
        shutil.rmtree(mutants)
        said = "earlier results were for other code or tests: removed, starting over"
    elif not mutants.exists():
        said = "no earlier results: a clean run"
    mutants.mkdir(exist_ok=True)
    for name in LINKED:
        link = mutants / name
        if not link.is_symlink():
            link.symlink_to(Path("..") / name)
    stamp.write_text(now)
    return said


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shard", default="all", help="all, auto or K/N (tests/mutants.toml)")
    parser.add_argument("--report", type=Path, default=WORK / "report.md")
    parser.add_argument("--max-children", default="2")
    args = parser.parse_args(argv)
    settings = tomllib.loads(SETTINGS.read_text())
    head = (
        subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        or "0"
    )
    try:
        chosen = choose(shards(settings), args.shard, head)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    names = ", ".join(s.name for s in chosen)
    print(f"mutants: {names} (--shard {args.shard}, commit {head[:12]})", flush=True)
    print(f"mutants/: {_prepare()}", flush=True)
    globs = [g for s in chosen for g in s.globs]
    log = WORK / "mutmut-run.log"
    with log.open("w") as output:
        ran = subprocess.run([*MUTMUT, "run", "--max-children", args.max_children, *globs],
                             cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)  # fmt: skip
    if ran.returncode:
        print(log.read_text()[-4000:], file=sys.stderr)
    results = _results()
    again = to_retry(results, chosen)
    if again and not ran.returncode:
        print(f"mutants: {len(again)} with no verdict (suspicious): run again, one at a time",
              flush=True)  # fmt: skip
        with log.open("a") as output:
            ran = subprocess.run([*MUTMUT, "run", "--max-children", "1", *again], cwd=ROOT,
                                 stdout=output, stderr=subprocess.STDOUT)  # fmt: skip
        results = _results()
    verdict = judge(results, chosen, settings["equivalent"])
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report(verdict, chosen, settings["equivalent"]))
    print("\n".join(table(verdict.rows)))
    print(statuses_line(verdict))
    print(f"report (every survivor's diff): {args.report}")
    errors = [f"mutmut run exited {ran.returncode}"] * bool(ran.returncode) + verdict.errors
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        return 2
    for line in verdict.over(chosen):
        print(f"over budget: {line}")
    return 1 if verdict.over(chosen) else 0


if __name__ == "__main__":
    sys.exit(main())
