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
    training_lease_s: float = Field(default=300, gt=0, description="a running training run whose trainer has not "
                                    "renewed its lease this long is failed: the trainer was killed or lost")
    sqlite_busy_timeout_s: float = Field(default=30, gt=0, description="embedded default: how long a transaction "
                                         "waits for SQLite's write lock before it fails")
    streams_per_user: int = Field(default=10, ge=1, description="open progress streams per user, per API process")
    progress_fallback_s: float = Field(default=10, gt=0, description="a waiting stream that heard nothing this long "
                                       "re-reads the job (a lost progress message)")
    # Worker speed-ups (docs/benchmarks.md): both change bits on a GPU, so they are recorded in each recipe.
    channels_last: bool = Field(default=False, description="channels_last UNet and VAE")
    compile_unet: bool = Field(default=False, description="torch.compile the UNet (compiled during the warm-up)")
    warmup: Literal["auto", "on", "off"] = Field(
        default="auto", description="a worker draws one small round before it says it is ready; auto: on a GPU "
                                    "or with compile_unet, where the first round pays for kernels and compiling")
    signin_per_minute: int = Field(default=30, description="sign-in attempts per source address per minute")
    ratelimit_storage: str = Field(default="", description="rate-limit counters shared by every API process, "
                                   "e.g. redis://redis:6379/1; default: the broker when it is Redis, else memory")
    log_format: Literal["text", "json"] = Field(default="text", description="text | json (one object per line)")
    metrics_allow: str = Field(default="", description="comma-separated addresses/networks that may read /metrics "
                               "without a token; admins' bearer tokens always may")
    trusted_proxies: str = Field(default="", description="comma-separated addresses/networks of reverse proxies "
                                 "whose X-Forwarded-For/-Proto are believed; none by default")
    composite_notice: str = Field(default="Composite — not a photograph", min_length=1, max_length=200,
                                  description="label on every downloaded or exported composite")
    exposure_cap: int = Field(default=60, ge=1, description="candidate faces one witness may be shown")
    # Caps on queued work (app/jobs/limits.py): past them a request is refused, not queued.
    max_jobs_per_user: int = Field(default=6, ge=1, description="one user's queued + running jobs (then 429)")
    max_queue_depth: int = Field(default=200, ge=1, description="queued jobs of all users (then 429)")
    max_pixel_steps: int = Field(default=8 * 512 * 512 * 100, ge=1,
                                 description="steps × width × height × candidates of one round (then 422)")
    max_session_pixel_steps: int = Field(default=2_000_000_000, ge=1,
                                         description="one round's pixel-steps × (rounds + 1) of a session (then 422)")
    # Named LIKENESS_SIGNING_KEY (not ..._PATH) as the admin guide says; left unset, the key
    # lives in the data dir and the first export creates it.
    signing_key_path: Path | None = Field(
        default=None, validation_alias=AliasChoices("LIKENESS_SIGNING_KEY", "LIKENESS_SIGNING_KEY_PATH"),
        description="Ed25519 private key (PEM) that signs disclosure exports; set and missing = export error")

    # Postgres: the non-owner role `likeness migrate` (run as the owner) sets up for the API and workers.
    db_app_role: str | None = Field(default=None, description="role the API and workers connect as (app/db_roles.py)")
    db_app_password: str | None = Field(default=None, description="its password (set when migrate creates it)")
    # Signed audit chain heads (app/audit/heads.py).
    audit_signing_key_path: Path | None = Field(
        default=None, validation_alias=AliasChoices("LIKENESS_AUDIT_SIGNING_KEY", "LIKENESS_AUDIT_SIGNING_KEY_PATH"),
        description="Ed25519 key that signs audit chain heads; default audit-heads.pem beside the export key")
    audit_sign_interval_s: float = Field(default=30, ge=0, le=60,
                                         description="how often the API signs the chain head (0 = never)")
    audit_heads_file: Path | None = Field(default=None, description="also append each signed head here "
                                          "(JSON lines; put it on other, append-only storage)")
    audit_heads_syslog: str | None = Field(default=None, description="also send each signed head to syslog: "
                                           "/dev/log or udp://host:514")

    @field_validator("signing_key_path", "audit_signing_key_path", "audit_heads_file", "audit_heads_syslog",
                     "db_app_role", "db_app_password", mode="before")
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
