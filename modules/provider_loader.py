"""Fast import of the prebuilt provider bindings.

Why: every prebuilt cdktf provider package ends its `__init__.py` with `from . import <x>` for
each of its submodules (~2,200 for AWS). Python runs a package's `__init__` before any of its
submodules, so even `from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket` imports all of
them: ~30-40 s per synth (hashicorp/terraform-cdk#3753).

How: `install()` registers each provider package in `sys.modules` as a module created from its
real import spec but *not executed*. Submodule imports then find the package already imported
and load only themselves; each submodule starts with `from .._jsii import *`, which loads the
provider's jsii assembly into the kernel exactly as the stock `__init__` would. The package
`__init__` has no behaviour of its own beyond those imports (the helpers it defines are the same
ones `_jsii` defines), so the synthesized output is byte-identical; `tests/test_loader.py`
proves it by synthesizing the project both ways.

Limits: attribute access on the bare package (`cdktf_cdktf_provider_aws.s3_bucket` without an
import statement naming the submodule) fails; always import the submodule itself.
"""

from __future__ import annotations

import importlib.util
import sys

PROVIDER_PACKAGES = ("cdktf_cdktf_provider_aws", "cdktf_cdktf_provider_cloudflare")


def install(packages: tuple[str, ...] = PROVIDER_PACKAGES) -> None:
    """Make later submodule imports of `packages` load only what they name. Idempotent."""
    for name in packages:
        if name in sys.modules:
            continue  # already imported (stock or by an earlier install): nothing to gain
        spec = importlib.util.find_spec(name)
        if spec is None or spec.submodule_search_locations is None:
            raise ModuleNotFoundError(f"provider package {name!r} is not installed")
        sys.modules[name] = importlib.util.module_from_spec(spec)


def loaded_submodules(package: str) -> list[str]:
    """The submodules of `package` imported so far (for tests and the benchmark)."""
    prefix = f"{package}."
    return sorted(m[len(prefix) :] for m in sys.modules if m.startswith(prefix))
