"""Fleet findings for `innolint --simulate --fleet fleet.toml` (filled in below)."""
