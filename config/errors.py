"""The one exception type for bad input, raised before anything is synthesized."""


class ConfigError(ValueError):
    """Invalid configuration or props; the message names the field and the bad value."""
