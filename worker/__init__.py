"""Celery workers: one per GPU, each holding the engine's pipelines in memory."""
