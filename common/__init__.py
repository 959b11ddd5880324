"""Torch-free code that both the API process and the workers import.

Nothing here may import torch, diffusers, transformers, peft, fastapi or celery:
the generation spec, progress events, recipes in PNG files, the blob store,
model resolution and prompt token counting live here.
"""
