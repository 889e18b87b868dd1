"""`python -m deploy`: the ordered, guarded deploy (see `deploy/ordered.py`)."""

import sys

from deploy.ordered import main

sys.exit(main())
