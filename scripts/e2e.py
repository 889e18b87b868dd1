"""`make e2e`: both emulated tracks at once, each in its own emulator.

- production's (`tests/e2e/test_emulated_estate.py`): deploy, adopt back, roll out `hardened`;
- staging's (`tests/e2e/test_staging.py`): built fresh, re-planned, probed against production,
  and the recovery rehearsal.

Most of either track is the AWS provider's fixed waits, so they share the machine's two cores
well: the loop takes about as long as the longer track instead of the sum. Production's output
streams as it comes; staging's is printed when both are done (its log is kept in
`.tools/e2e/staging.log`). The exit status is the first failing track's, 0 when both pass; an
interrupted run stops both (and their emulators, which each test module stops itself).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-s"]
STAGING = "tests/e2e/test_staging.py"
FAULTS = "tests/e2e/test_faults.py"
"""Its own target, `make faults`."""


def main() -> int:
    env = {**os.environ, "FLUXION_E2E": "1"}
    log = ROOT / ".tools" / "e2e" / "staging.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        staging = subprocess.Popen(
            [*PYTEST, STAGING], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            production = subprocess.run(
                [*PYTEST, "tests/e2e", "--ignore", STAGING, "--ignore", FAULTS],
                cwd=ROOT,
                env=env,
            ).returncode
            staged = staging.wait()
        except KeyboardInterrupt:
            staging.terminate()
            staging.wait()
            raise
    print(f"----- staging track (ran alongside; log kept in {log.relative_to(ROOT)}) -----")
    print(log.read_text(), end="", flush=True)
    print(f"e2e: production track exit {production}, staging track exit {staged}")
    return production or staged


if __name__ == "__main__":
    sys.exit(main())
