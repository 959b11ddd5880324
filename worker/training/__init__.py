"""Training: UNet LoRA (sketch styles) and CLIP LoRA (the seed paper's Model 3).

The training functions are pure (pipelines and pairs in, adapter bytes and metrics
out); worker/training/store.py is the glue that reads datasets from the database
and blob store and saves adapters into the model registry.
"""
