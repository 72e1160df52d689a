from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import AliasChoices, SecretStr

from bot.errors import BadInput
from bot.settings import Settings


def test_defaults_need_no_tokens(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    settings = Settings()
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.spacy_model == "claimbot_en"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLAIMBOT_DATA_DIR", "~/claims")
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", "")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1234")
    monkeypatch.setenv("DISCORD_GUILD_IDS", "[1, 2]")
    settings = Settings()
    assert settings.data_dir == Path.home() / "claims"
    assert settings.resolved_database_url == f"sqlite:///{Path.home() / 'claims' / 'claimbot.db'}"
    assert settings.discord_guild_ids == [1, 2]
    assert "xoxb-1234" not in repr(settings)
    assert settings.require_secret("slack_bot_token", "SLACK_BOT_TOKEN") == "xoxb-1234"


@pytest.mark.parametrize("value", [None, "", "   ", "changeme", "xoxb-your-token-here", "<token>"])
def test_missing_or_placeholder_tokens_name_the_setting(value: str | None) -> None:
    settings = Settings(discord_token=SecretStr(value) if value is not None else None)
    with pytest.raises(BadInput, match="DISCORD_TOKEN"):
        settings.require_secret("discord_token", "DISCORD_TOKEN")


def _env_name(field_name: str) -> str:
    alias = Settings.model_fields[field_name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"CLAIMBOT_{field_name.upper()}"


def test_env_example_lists_every_setting() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text(encoding="utf-8")
    listed = {line.split("=", 1)[0].lstrip("# ").strip() for line in example.splitlines() if "=" in line}
    missing = [_env_name(name) for name in Settings.model_fields if _env_name(name) not in listed]
    assert missing == []
