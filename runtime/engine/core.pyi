# Typing only (runtime/engine/__init__.py): the code is type-checked against the selected
# engine's core. CDKTN is a compile-time constant for mypy, set by `make lint`:
# --always-false CDKTN (cdktf, the default), --always-true CDKTN with ENGINE=cdktn.
CDKTN: bool
if CDKTN:
    from cdktn import *
else:
    from cdktf import *
