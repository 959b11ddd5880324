"""The Likeness API: cases, witnesses, descriptions, sketch sessions, jobs, images, audit.

Torch-free by rule (an import-linter contract): generation happens in the workers.
"""
