"""Terraform as the project runs it: its own CLI config, providers from a mirror when present.

    python -m runtime.terraform config     # write the CLI config, print its path
    python -m runtime.terraform validate [--out cdktf.out] [STACK ...]

**Provider installation without the network.** The project never reads or writes the user's
`~/.terraformrc`. Its commands (the Makefile, the tests, the deploy) point `TF_CLI_CONFIG_FILE`
at `.tools/terraform/terraformrc`, written by `write_cli_config()`:

- a filesystem mirror, when one is found, installs the providers it holds; every other provider
  comes from the registry (`direct`). The mirror is `FLUXION_TF_PLUGIN_MIRROR` when set (it
  must exist), otherwise the first of `MIRROR_CANDIDATES` that holds a provider;
- a plugin cache in `.tools/terraform/plugin-cache`, so ten `terraform init`s link one copy of
  the 700 MB AWS provider instead of copying it ten times;
- no checkpoint calls (`disable_checkpoint`), so Terraform never phones home.

The file always exists, so Terraform never warns about a missing CLI configuration.

**Validation.** `validate_stack()` runs `terraform init -backend=false` and `terraform validate`
on a copy of each synthesized stack, and keeps a valid result under the SHA-256 of the stack
and Terraform's version (`.tools/terraform/validate-cache/`): an unchanged stack is not
validated twice, a changed one always is. There is no Cloudflare provider on the project's
machines, so the edge stack is validated without its Cloudflare parts (`without_provider()`:
the provider, its resources, data sources and import blocks), and the run names every address
it left out.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import ConfigError
from config.errors import CREDENTIAL_ERRORS
from runtime import cli
from runtime.synthesized import Synthesized

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / ".tools" / "terraform"
CLI_CONFIG = TOOLS / "terraformrc"
PLUGIN_CACHE = TOOLS / "plugin-cache"
VALIDATE_CACHE = TOOLS / "validate-cache"
"""`terraform validate` results by the SHA-256 of the validated stack and Terraform's version."""
MIRROR_SETTING = "FLUXION_TF_PLUGIN_MIRROR"
MIRROR_CANDIDATES = (
    # Terraform's own implied local mirrors on Linux, then the machine image's mirror.
    Path.home() / ".terraform.d" / "plugins",
    Path.home() / ".local" / "share" / "terraform" / "plugins",
    Path("/usr/local/share/terraform/plugins"),
    Path("/usr/share/terraform/plugins"),
    Path("/opt/tf-plugins"),
)
OFFLINE = {"CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}


def mirrored_providers(mirror: Path) -> list[str]:
    """`hostname/namespace/type` of every provider in a mirror's unpacked layout."""
    found = []
    for type_dir in sorted(mirror.glob("*/*/*")):
        if type_dir.is_dir() and any(type_dir.glob("*/*_*/terraform-provider-*")):
            found.append("/".join(type_dir.parts[-3:]))
    return found


def find_mirror(environ: Mapping[str, str] | None = None) -> Path | None:
    environ = os.environ if environ is None else environ
    setting = environ.get(MIRROR_SETTING)
    if setting:
        path = Path(setting)
        if not mirrored_providers(path):
            raise ConfigError(
                f"{MIRROR_SETTING}: {setting!r} holds no provider in the unpacked mirror layout "
                "(<host>/<namespace>/<type>/<version>/<os_arch>/terraform-provider-*)"
            )
        return path
    return next((p for p in MIRROR_CANDIDATES if mirrored_providers(p)), None)


def cli_config_text(mirror: Path | None, cache: Path) -> str:
    """The CLI configuration: mirrored providers from the mirror, the rest from the registry."""
    lines = [
        "# Written by `python -m runtime.terraform config`; do not edit (it is rewritten).",
        "disable_checkpoint = true",
        f"plugin_cache_dir = {json.dumps(str(cache))}",
        # Without a lock file in cdktf.out, Terraform >= 1.4 would not link from the cache.
        "plugin_cache_may_break_dependency_lock_file = true",
    ]
    providers = mirrored_providers(mirror) if mirror else []
    if providers:
        listed = json.dumps(providers)
        lines += [
            "provider_installation {",
            f"  filesystem_mirror {{\n    path    = {json.dumps(str(mirror))}",
            f"    include = {listed}\n  }}",
            f"  direct {{\n    exclude = {listed}\n  }}",
            "}",
        ]
    return "\n".join(lines) + "\n"


def write_cli_config(environ: Mapping[str, str] | None = None) -> Path:
    PLUGIN_CACHE.mkdir(parents=True, exist_ok=True)
    text = cli_config_text(find_mirror(environ), PLUGIN_CACHE)
    if not CLI_CONFIG.exists() or CLI_CONFIG.read_text() != text:
        # atomically: parallel validations may read it while another call writes it
        staged = CLI_CONFIG.with_name(f"{CLI_CONFIG.name}.{os.getpid()}.{id(text)}")
        staged.write_text(text)
        os.replace(staged, CLI_CONFIG)
    return CLI_CONFIG


def terraform_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment for a project Terraform call (the CLI config written first)."""
    return {
        **os.environ,
        **OFFLINE,
        "TF_CLI_CONFIG_FILE": str(write_cli_config()),
        **(extra or {}),
    }


def terraform_binary() -> str:
    binary = shutil.which("terraform")
    if binary is None:
        raise ConfigError("terraform: not found on PATH (Terraform >= 1.11 is required)")
    return binary


def without_provider(stack: dict[str, Any], provider: str) -> tuple[dict[str, Any], list[str]]:
    """A copy of a synthesized stack without one provider's parts, and their addresses.

    Removes the provider block, its `required_providers` entry, its resources and data sources
    (types named `<provider>_*`), and the import blocks that target them. Fails when anything
    left still refers to a removed address: that part could not be validated either.
    """
    out = json.loads(json.dumps(stack))
    prefix = f"{provider}_"
    removed: list[str] = []
    for block, mode in (("resource", ""), ("data", "data.")):
        for rtype in [t for t in out.get(block, {}) if t.startswith(prefix)]:
            removed += [f"{mode}{rtype}.{name}" for name in out[block].pop(rtype)]
        if block in out and not out[block]:
            del out[block]
    out.get("provider", {}).pop(provider, None)
    out.get("terraform", {}).get("required_providers", {}).pop(provider, None)
    if "import" in out:
        out["import"] = [i for i in out["import"] if not i["to"].startswith(prefix)]
    text = json.dumps(out)
    dangling = [a for a in removed if a in text]
    if dangling:
        raise ConfigError(f"{provider}: still referenced after removal: {dangling}")
    return out, removed


@dataclass
class Validation:
    stack: str
    valid: bool
    errors: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    lock_file: str | None = None
    """The `.terraform.lock.hcl` that init wrote: which provider versions were used."""


def _diagnostics(raw: str) -> list[str]:
    report = json.loads(raw)
    return [
        f"{d['severity']}: {d['summary']}: {d.get('detail', '')}".strip().rstrip(":")
        + (f" ({d['range']['filename']}:{d['range']['start']['line']})" if "range" in d else "")
        for d in report.get("diagnostics", [])
        if d["severity"] == "error"
    ]


class Interrupted(ConfigError):
    """Terraform stopped because the run was interrupted (SIGINT or SIGTERM, forwarded)."""


class Locked(ConfigError):
    """Another run holds the stack's state lock."""


def lock_holder(output: str) -> dict[str, str]:
    """Terraform's `Lock Info:` block (ID, Path, Operation, Who, Version, Created) as a dict;
    empty when the output shows no lock error."""
    if "Error acquiring the state lock" not in output:
        return {}
    info = re.findall(r"^\s+(ID|Path|Operation|Who|Version|Created):\s*(\S.*?)\s*$", output, re.M)
    return dict(info)


def credentials_code(output: str) -> str | None:
    """The AWS error code in Terraform's output that says the credentials are missing, expired
    or revoked (`config.errors.CREDENTIAL_ERRORS`), or None."""
    for code in re.findall(r"api error (\w+):", output):
        if code in CREDENTIAL_ERRORS:
            return str(code)
    if "no valid credential sources" in output:
        return "NoCredentialProviders"
    return None


def locked_message(stack: str, holder: dict[str, str]) -> str:
    """The one line for a held lock: who, since when, and the way out once it is dead."""
    lock_id = holder.get("ID", "<lock id>")
    return (
        f"{stack}: the state is locked by {holder.get('Who', 'an unknown holder')} since "
        f"{holder.get('Created', 'an unknown time')} ({holder.get('Operation', 'unknown')}, "
        f"lock {lock_id}): another deploy is running, or one died (runner lost, killed); once "
        f"it is known to be dead: python -m ops state-unlock {stack} --lock-id {lock_id}"
    )


def run(
    args: list[str],
    cwd: Path,
    extra_env: Mapping[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
) -> str:
    """Run terraform; on an exit status outside `ok` raise ConfigError with the command and
    its last lines (`plan -detailed-exitcode` passes `ok=(0, 2)`: 2 means changes), `Locked`
    naming the lock's holder, or `Interrupted` when the run was interrupted.

    **Interruptions.** Terraform runs in a process group of its own, so a Ctrl-C or a CI
    cancellation (SIGINT to the caller's group) reaches it once, from here: each interrupt this
    process gets is forwarded as one SIGINT, and Terraform is waited for. The first makes it
    stop gracefully (in-flight calls end, the state is written, the lock released); only a
    second one makes it exit at once. (`subprocess.run` would kill it 0.25 s after a Ctrl-C:
    a lost state and a stale lock.) Killing this process (SIGKILL) leaves Terraform running
    to its own end; `deploy` makes SIGTERM an interrupt too (`sigterm_interrupts`)."""
    proc = subprocess.Popen(
        [terraform_binary(), *args],
        cwd=cwd,
        env=terraform_env(extra_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    interrupts = 0
    while True:
        try:
            stdout, stderr = proc.communicate()
            break
        except KeyboardInterrupt:
            interrupts += 1
            proc.send_signal(signal.SIGINT)
    if interrupts:
        raise Interrupted(
            f"{cwd.name}: terraform {args[0]} interrupted ({interrupts} interrupt"
            f"{'s' if interrupts > 1 else ''}; exit {proc.returncode})"
        )
    holder = lock_holder(stderr + stdout)
    if proc.returncode not in ok and holder:
        raise Locked(locked_message(cwd.name, holder))
    if proc.returncode not in ok and (code := credentials_code(stderr + stdout)):
        raise ConfigError(
            f"credentials: {code} during terraform {args[0]} in {cwd.name}: the AWS credentials "
            "are missing, expired or revoked (not a problem of the estate): renew them and run "
            "again (what was applied before is in the state)"
        )
    if proc.returncode not in ok and not (args[0] == "validate" and stdout.startswith("{")):
        lines = (stderr or stdout).strip().splitlines()
        # what went wrong first (Terraform's `Error:` lines: the provider's message), then the
        # last lines (where, and the detail)
        errors = list(dict.fromkeys(line for line in lines if line.startswith("Error: ")))
        tail = [line for line in lines[-6:] if line not in errors]
        shown = errors[:2] + (tail if len(errors) < 2 else [])
        raise ConfigError(f"terraform {' '.join(args)} in {cwd.name}: {' | '.join(shown)}")
    return stdout


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While inside: SIGTERM (a CI runner's cancellation, `kill`) is an interrupt
    (KeyboardInterrupt), so Terraform gets one SIGINT and stops gracefully (`run`); the
    previous handler is back after."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def saved_plan(
    cwd: Path,
    plan_file: str,
    extra_env: Mapping[str, str] | None = None,
    *options: str,
    ok: tuple[int, ...] = (0,),
    init: bool = True,
) -> str:
    """`init` (unless the caller knows the folder is initialized with this backend), `plan
    <options> -out=<plan_file>` (exit status in `ok`), and that saved plan as `show -json`."""
    if init:
        run(["init", "-input=false", "-no-color"], cwd, extra_env)
    plan = ["plan", "-input=false", "-no-color", *options, f"-out={plan_file}"]
    run(plan, cwd, extra_env, ok)
    return run(["show", "-json", plan_file], cwd, extra_env)


def validate_stack(
    name: str, stack: dict[str, Any], workdir: Path, cache: Path | None = VALIDATE_CACHE
) -> Validation:
    """`terraform validate` on a local-backend copy of one synthesized stack.

    The result is kept in `cache` under the SHA-256 of what was validated (the stack's JSON,
    which pins the provider versions) and of Terraform's version: the same stack is validated
    once, a changed one always again. `cache=None` always runs Terraform."""
    left_out: list[str] = []
    if "cloudflare" in stack.get("provider", {}):
        stack, left_out = without_provider(stack, "cloudflare")
    text = json.dumps(stack, indent=2)
    key = hashlib.sha256(f"{_terraform_version()}\n{text}".encode()).hexdigest()
    cached = cache / f"{key}.json" if cache is not None else None
    if cached is not None and cached.exists():
        return Validation(name, **{**json.loads(cached.read_text()), "left_out": left_out})
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "cdk.tf.json").write_text(text)
    run(["init", "-backend=false", "-input=false", "-no-color"], workdir)
    diagnostics = run(["validate", "-json", "-no-color"], workdir)
    report = json.loads(diagnostics)
    lock = workdir / ".terraform.lock.hcl"
    result = Validation(
        name,
        bool(report["valid"]),
        _diagnostics(diagnostics),
        left_out,
        lock.read_text() if lock.exists() else None,
    )
    if cached is not None and result.valid:  # an invalid stack is asked again next time
        cached.parent.mkdir(parents=True, exist_ok=True)
        kept = {"valid": result.valid, "errors": result.errors, "lock_file": result.lock_file}
        staged = cached.with_suffix(f".{os.getpid()}")
        staged.write_text(json.dumps(kept))
        os.replace(staged, cached)
    return result


@functools.cache
def _terraform_version() -> str:
    return str(json.loads(run(["version", "-json"], ROOT))["terraform_version"])


def warm_plugin_cache() -> None:
    """Install the estate's AWS provider into the plugin cache once, alone: Terraform's cache
    is not safe for two first installs at once ("mkdir ... file exists", seen on a fresh clone
    when tests initialized in parallel). Later inits only link it."""
    from config.estate import PROVIDER_VERSIONS

    with tempfile.TemporaryDirectory(prefix="warm-", dir=TOOLS) as tmp:
        pins = {"aws": {"source": "hashicorp/aws", "version": PROVIDER_VERSIONS["aws"]}}
        (Path(tmp) / "main.tf.json").write_text(
            json.dumps({"terraform": {"required_providers": pins}})
        )
        run(["init", "-backend=false", "-input=false", "-no-color"], Path(tmp))


def main(argv: list[str] | None = None) -> int:
    parser = cli.command("python -m runtime.terraform", __doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    write = sub.add_parser(
        "config", help="write the project's Terraform CLI config; print its path"
    )
    write.add_argument(
        "--warm", action="store_true", help="and install the AWS provider into the plugin cache"
    )
    check = sub.add_parser("validate", help="terraform validate every synthesized stack")
    cli.out(check)
    check.add_argument("--workdir", type=Path, default=ROOT / ".tools" / "terraform" / "validate")
    check.add_argument("stacks", nargs="*")
    check.add_argument("--no-cache", action="store_true", help="validate even a known stack")
    args = cli.parse(parser, argv)
    try:
        if args.command == "config":
            print(write_cli_config())
            if args.warm:
                warm_plugin_cache()
            return 0
        cache = None if args.no_cache else VALIDATE_CACHE
        results = [
            validate_stack(name, stack, args.workdir / name, cache)
            for name, stack in Synthesized(args.out).stacks(args.stacks).items()
        ]
    except ConfigError as err:
        return cli.one_line_error(err)
    for result in results:
        print(f"{result.stack}: {'valid' if result.valid else 'INVALID'}")
        for error in result.errors:
            print(f"  {error}")
        if result.left_out:
            print(f"  not validated (no provider here): {', '.join(result.left_out)}")
    return 0 if all(r.valid for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
