"""innoscript: tools for innovaphone update scripts."""

__version__ = "0.1.0"
