"""Putting synthesized stacks live: the ordered, guarded deploy (`python -m deploy`, `make
deploy`) and the CI's apply-what-was-reviewed (`python -m deploy.reviewed_plan`).

The review gates (`review/`) judge a plan; this package decides whether to apply one, and
refuses with `deploy.errors.Refused` (one line, exit 2) when the tree, the commit, the profile,
the plan's age or its guard verdict says no.
"""
