"""Day-2 operations from code: the guide's runbooks as commands (`python -m ops <verb>`).

Every ID a runbook needs (subnet, security group, cluster, service, repository, instance,
database) comes from the stacks' published outputs, read from their remote state, never typed
by hand. Every verb prints the AWS calls it makes; verbs that change something ask first
(`--yes` skips the question, `--dry-run` prints and stops). `drift` is Terraform's own
refresh-only plan of every stack, as a table. docs/operations.md has one section per verb.
"""
