"""The engine switch: which CDK for Terraform, and which prebuilt providers, the code runs on.

    FLUXION_ENGINE=cdktf   the default, what the project is specified with: cdktf 0.21.0 and the
                           cdktf-cdktf-provider-* bindings (hashicorp/aws 5.100.0), archived
                           upstream in December 2025
    FLUXION_ENGINE=cdktn   CDK Terrain, the maintained fork: cdktn 0.24.0 and the
                           cdktn-provider-* bindings (hashicorp/aws 6.69.1)

Each engine has its own locked environment (`Pipfile.lock`, `engines/cdktn/Pipfile.lock`;
`make engines`). No other module names an engine's package: they import the engine
through three aliases this module resolves to the selected engine's own packages,

    from runtime.engine.core import App, TerraformStack  # cdktf | cdktn
    from runtime.engine.aws.vpc import Vpc  # cdktf_cdktf_provider_aws | cdktn_provider_aws
    from runtime.engine.cloudflare.dns_record import DnsRecord  # ..._provider_cloudflare

so `engine.aws.vpc` *is* the selected provider's `vpc` submodule (the same module object, not a
copy), and the fast provider loader (`runtime/provider_loader.py`) applies unchanged. A finder
on `sys.meta_path` does the aliasing; it is installed when this package is imported.

Type checking: mypy cannot follow a runtime alias. `core.pyi` next to this file re-exports the
selected engine's core (`make lint` tells mypy which, `--always-true/false CDKTN`), so the code
is type-checked against that engine's API; the provider aliases are Any to mypy
(pyproject.toml), as the bindings always were (mypy skips their ~2,200 generated modules).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

from config.errors import ConfigError


@dataclass(frozen=True)
class Engine:
    name: str
    core: str
    """The CDK package: `cdktf` or `cdktn`."""
    providers: dict[str, str]
    """Alias -> the prebuilt provider package (`aws` -> `cdktf_cdktf_provider_aws`)."""
    environment: str
    """The folder of its Pipfile and lock file ("." for the default engine)."""
    node_scope: str
    """The npm scope of its JavaScript packages (`@cdktf/provider-aws`), which the jsii kernel
    loads: the lazy index hook (runtime/lazy_provider_index.cjs) knows both."""

    @property
    def provider_packages(self) -> tuple[str, ...]:
        return tuple(self.providers.values())

    @property
    def python(self) -> str:
        """Its interpreter, in its own locked venv, relative to the repository (the Makefile's
        VENV for this ENGINE; `scripts/app.sh` says the same in shell)."""
        return f"{self.environment}/.venv/bin/python".removeprefix("./")


ENGINES = {
    "cdktf": Engine(
        "cdktf",
        "cdktf",
        {"aws": "cdktf_cdktf_provider_aws", "cloudflare": "cdktf_cdktf_provider_cloudflare"},
        ".",
        "@cdktf",
    ),
    "cdktn": Engine(
        "cdktn",
        "cdktn",
        {"aws": "cdktn_provider_aws", "cloudflare": "cdktn_provider_cloudflare"},
        "engines/cdktn",
        "@cdktn",
    ),
}
DEFAULT_ENGINE = "cdktf"
ALIAS_ROOT = __name__


def selected(environ: dict[str, str] | None = None) -> Engine:
    """The engine FLUXION_ENGINE names (default cdktf); an unknown name is a ConfigError."""
    name = (environ if environ is not None else os.environ).get("FLUXION_ENGINE") or DEFAULT_ENGINE
    if name not in ENGINES:
        raise ConfigError(
            f"FLUXION_ENGINE: {name!r} (from the environment) is not an engine; valid: "
            f"{', '.join(ENGINES)}"
        )
    return ENGINES[name]


def real_name(alias: str, engine: Engine) -> str | None:
    """`runtime.engine.aws.vpc` -> `cdktf_cdktf_provider_aws.vpc`; None for other names."""
    prefix = f"{ALIAS_ROOT}."
    if not alias.startswith(prefix):
        return None
    head, _, rest = alias[len(prefix) :].partition(".")
    if head == "core" and not rest:
        return engine.core
    if head in engine.providers:
        return engine.providers[head] + (f".{rest}" if rest else "")
    return None


class _Aliases(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves the aliases to the engine's modules: the import returns the real module."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        real = real_name(fullname, self.engine)
        if real is None:
            return None
        if importlib.util.find_spec(real.partition(".")[0]) is None:
            raise ConfigError(
                f"FLUXION_ENGINE={self.engine.name}: package {real.partition('.')[0]!r} is not "
                f"installed in this environment: run `make engines`"
            )
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # a placeholder: exec_module puts the real module in its place

    def exec_module(self, module: ModuleType) -> None:
        real = real_name(module.__name__, self.engine)
        assert real is not None
        # importlib returns sys.modules[name] after exec_module: the real module itself.
        sys.modules[module.__name__] = importlib.import_module(real)


ENGINE = selected()
if not any(isinstance(f, _Aliases) for f in sys.meta_path):
    sys.meta_path.insert(0, _Aliases(ENGINE))
