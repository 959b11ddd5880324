"""Settings from the environment (prefix LIKENESS_), shared by API and workers."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIKENESS_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="SQLite file, blobs, broker files")
    database_url: str | None = Field(default=None, description="default: SQLite under data_dir")
    broker_url: str | None = Field(default=None, description="default: files under data_dir")
    model: str | None = Field(default=None, description="diffusers folder or hub id")
    device: str = Field(default="auto", description="auto | cpu | cuda | cuda:N")
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = "auto"
    job_time_limit_s: int = Field(default=1800, description="hard limit for one generation job")
    job_max_attempts: int = Field(default=3, description="worker deaths before a job fails")
    job_lease_s: float = Field(default=60, description="a running job unrenewed this long is taken over")
    job_requeue_after_s: float = Field(default=600, description="a job still queued this long is published again")
    sse_poll_s: float = 0.1
    # Worker speed-ups (docs/benchmarks.md): both change bits on a GPU, so they are recorded in each recipe.
    channels_last: bool = Field(default=False, description="channels_last UNet and VAE")
    compile_unet: bool = Field(default=False, description="torch.compile the UNet (compiled during the warm-up)")
    warmup: Literal["auto", "on", "off"] = Field(
        default="auto", description="a worker draws one small round before it says it is ready; auto: on a GPU "
                                    "or with compile_unet, where the first round pays for kernels and compiling")
    signin_per_minute: int = Field(default=30, description="sign-in attempts per source address per minute")
    # Named LIKENESS_SIGNING_KEY (not ..._PATH) as the admin guide says; left unset, the key
    # lives in the data dir and the first export creates it.
    signing_key_path: Path | None = Field(
        default=None, validation_alias=AliasChoices("LIKENESS_SIGNING_KEY", "LIKENESS_SIGNING_KEY_PATH"),
        description="Ed25519 private key (PEM) that signs disclosure exports; set and missing = export error")

    @field_validator("signing_key_path", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # An empty variable (as in `LIKENESS_SIGNING_KEY=`) means the default, not the current directory.
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'likeness.db'}"

    @property
    def resolved_broker_url(self) -> str:
        return self.broker_url or "filesystem://"

    @property
    def is_embedded_broker(self) -> bool:
        return self.resolved_broker_url.startswith("filesystem://")

    @property
    def broker_dir(self) -> Path:
        return self.resolved_data_dir / "broker"

    @property
    def blob_dir(self) -> Path:
        return self.resolved_data_dir / "blobs"

    @property
    def models_dir(self) -> Path:
        return self.resolved_data_dir / "models"

    @property
    def resolved_signing_key_path(self) -> Path:
        if self.signing_key_path:
            return self.signing_key_path.expanduser().resolve()
        return self.resolved_data_dir / "keys" / "export-signing.pem"


@functools.cache
def get_settings() -> Settings:
    return Settings()
