"""The `likeness` command: the one place that drives both the API and the workers."""
