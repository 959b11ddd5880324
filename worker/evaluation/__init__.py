"""Evaluation: the seed paper's protocol through the real engine, metrics, reports and plots."""
