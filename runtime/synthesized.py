"""The one reader of a synthesized output folder (`cdktf.out/`): its manifest, its stacks, each
stack's working folder, the dependency order and `synth.json` (what was synthesized, and how).

Every command that reads synthesized output goes through `Synthesized`, so a missing or stale
folder is the same one line everywhere: what is missing and `run make synth`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from config.errors import ConfigError


@dataclass(frozen=True)
class Synthesized:
    """A synthesized output folder; nothing is read until asked for."""

    outdir: Path

    @functools.cached_property
    def manifest(self) -> dict[str, dict[str, Any]]:
        """cdktf's manifest: stack name -> its entry (paths, dependencies)."""
        path = self.outdir / "manifest.json"
        if not path.is_file():
            raise ConfigError(f"{self.outdir} has no manifest.json: run `make synth` first")
        return dict(json.loads(path.read_text())["stacks"])

    @property
    def names(self) -> list[str]:
        """The stack names, as the manifest lists them."""
        return list(self.manifest)

    def _entry(self, name: str) -> dict[str, Any]:
        if name not in self.manifest:
            raise ConfigError.invalid(
                "stack",
                name,
                f"is not in {self.outdir / 'manifest.json'} (have {sorted(self.manifest)})",
            )
        return self.manifest[name]

    def stack(self, name: str) -> dict[str, Any]:
        """One stack's Terraform JSON."""
        return dict(
            json.loads((self.outdir / self._entry(name)["synthesizedStackPath"]).read_text())
        )

    def stacks(self, names: Iterable[str] = ()) -> dict[str, dict[str, Any]]:
        """The named stacks' Terraform JSON (default: every stack), by name."""
        wanted = list(names) or self.names
        for name in wanted:
            self._entry(name)
        return {name: self.stack(name) for name in wanted}

    def stack_dir(self, name: str) -> Path:
        """The folder Terraform runs in for one stack."""
        return (self.outdir / str(self._entry(name)["workingDirectory"])).resolve()

    def order(self, required: Iterable[str] = ()) -> list[str]:
        """Stacks in dependency order; each of `required` must have been synthesized."""
        missing = [s for s in required if s not in self.manifest]
        missing += [
            n
            for n, s in self.manifest.items()
            if not (self.outdir / s["synthesizedStackPath"]).exists()
        ]
        if missing:
            raise ConfigError(f"stacks not synthesized: {sorted(set(missing))}; run `make synth`")
        graph = {name: set(s["dependencies"]) for name, s in self.manifest.items()}
        return list(TopologicalSorter(graph).static_order())

    @functools.cached_property
    def stamp(self) -> dict[str, Any]:
        """`synth.json`: environment, profile, hardening switches, engine, commit, adoption."""
        path = self.outdir / "synth.json"
        if not path.is_file():
            raise ConfigError(f"{path} is missing: run `make synth` (this output predates it)")
        return dict(json.loads(path.read_text()))

    @property
    def switches(self) -> frozenset[str]:
        """The hardening switches the output was synthesized with (older outputs record only
        the profile: `hardened` was every rollout switch)."""
        if "hardening" in self.stamp:
            return frozenset(self.stamp["hardening"])
        from config.hardening import Hardening

        hardened = self.stamp.get("profile") == "hardened"
        return frozenset(Hardening.rollout() if hardened else ())
