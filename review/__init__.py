"""Review gates: plan summaries, the replacement guard and the security gate."""
