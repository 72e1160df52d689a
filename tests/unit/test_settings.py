from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import AliasChoices, SecretStr

from bot.errors import BadInput, StorageUnavailable
from bot.settings import ENV_PREFIXES, PLATFORM_FIELDS, Settings, load_settings, unknown_setting_names


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


# ---------------------------------------------------------------------------- values that explain themselves
@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No .env and no claimbot variables from the outside: each test sets what it means."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.upper().startswith(ENV_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CLAIMBOT_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


@pytest.mark.parametrize(
    ("value", "ids"), [("123", [123]), ("123,456", [123, 456]), (" 123 , 456 ", [123, 456]),
                       ("[123, 456]", [123, 456]), ("", [])],
)  # fmt: skip
def test_guild_ids_take_one_id_a_list_or_json(
    clean_env: pytest.MonkeyPatch, value: str, ids: list[int]
) -> None:
    clean_env.setenv("DISCORD_GUILD_IDS", value)
    assert load_settings().discord_guild_ids == ids


def test_allowed_hosts_take_one_host_or_a_list(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CLAIMBOT_FETCH_ALLOW_HOSTS", "127.0.0.1,localhost")
    assert load_settings().fetch_allow_hosts == ["127.0.0.1", "localhost"]
    clean_env.setenv("CLAIMBOT_FETCH_ALLOW_HOSTS", '["127.0.0.1"]')
    assert load_settings().fetch_allow_hosts == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    [
        ("DISCORD_GUILD_IDS", "abc", "discord_guild_ids",
         "DISCORD_GUILD_IDS is 'abc'; it should be server ids"),
        ("CLAIMBOT_REPEAT_THRESHOLD", "high", "repeat_threshold",
         "CLAIMBOT_REPEAT_THRESHOLD is 'high'; it should be a number from 0 to 1"),
        ("CLAIMBOT_REPEAT_THRESHOLD", "1.5", "repeat_threshold", "CLAIMBOT_REPEAT_THRESHOLD is '1.5'"),
        ("CLAIMBOT_EMBEDDING_PRECISION", "int4", "embedding_precision",
         "CLAIMBOT_EMBEDDING_PRECISION is 'int4'; it should be float32, bfloat16 or int8"),
        ("CLAIMBOT_WORKERS", "0", "workers",
         "CLAIMBOT_WORKERS is '0'; it should be greater than or equal to 1"),
        ("CLAIMBOT_DIGEST_TIMEZONE", "Mars/Olympus", "digest_timezone",
         "CLAIMBOT_DIGEST_TIMEZONE is 'Mars/Olympus'; it should be an IANA time zone"),
        ("CLAIMBOT_LOG_LEVEL", "loud", "log_level", "CLAIMBOT_LOG_LEVEL is 'loud'"),
        ("CLAIMBOT_STATEMENT_CONFIDENCE", "sure", "statement_confidence",
         "CLAIMBOT_STATEMENT_CONFIDENCE is 'sure'; it should be a number from 0 to 1"),
        ("CLAIMBOT_STATEMENT_CONFIDENCE", "60", "statement_confidence",
         "CLAIMBOT_STATEMENT_CONFIDENCE is '60'"),
    ],
)  # fmt: skip
def test_a_wrong_value_fails_only_where_it_is_read(
    clean_env: pytest.MonkeyPatch, name: str, value: str, field: str, expected: str
) -> None:
    clean_env.setenv(name, value)
    settings = load_settings()  # loading does not fail: other settings stay usable
    assert settings.resolved_database_url.startswith("sqlite:///")
    with pytest.raises(BadInput) as caught:
        getattr(settings, field)
    assert caught.value.reason.startswith(expected)
    assert "\n" not in caught.value.reason
    assert "pydantic" not in caught.value.reason
    with pytest.raises(BadInput, match=name):
        settings.require_valid()
    settings.require_valid(skip=[field])


def test_a_bot_ignores_the_other_platforms_settings(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DISCORD_GUILD_IDS", "not-an-id")
    settings = load_settings()
    settings.require_valid(skip=PLATFORM_FIELDS["discord"])
    with pytest.raises(BadInput, match="DISCORD_GUILD_IDS"):
        settings.require_valid(skip=PLATFORM_FIELDS["slack"])


def test_a_wrong_value_in_dot_env_is_named_too(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CLAIMBOT_CANDIDATES_K=many\n", encoding="utf-8")
    with pytest.raises(BadInput, match="CLAIMBOT_CANDIDATES_K is 'many'"):
        _ = load_settings().candidates_k


def test_unknown_names_are_warned_about_with_the_closest_setting(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clean_env.setenv("CLAIMBOT_DATA_DIRR", str(tmp_path))
    (tmp_path / ".env").write_text("CLAIMBOT_REPEAT_TRESHOLD=0.6\nSLACK_BOT_TOKN=xoxb-1\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="bot.settings"):
        load_settings()
    said = [r.getMessage() for r in caplog.records]
    assert any("CLAIMBOT_DATA_DIRR" in m and "did you mean CLAIMBOT_DATA_DIR?" in m for m in said), said
    assert any("did you mean CLAIMBOT_REPEAT_THRESHOLD?" in m for m in said), said
    assert any("did you mean SLACK_BOT_TOKEN?" in m for m in said), said
    assert unknown_setting_names(["CLAIMBOT_DATA_DIR", "PATH", "CLAIMBOT_TEST_POSTGRES_URL"]) == []


@pytest.mark.parametrize("value", ["...", "xoxb-...", "xoxb-…", "xapp-…"])
def test_the_readmes_placeholders_are_refused(value: str) -> None:
    settings = Settings(_env_file=None, slack_bot_token=SecretStr(value))  # type: ignore[call-arg]
    with pytest.raises(BadInput, match="SLACK_BOT_TOKEN still holds a placeholder"):
        settings.require_secret("slack_bot_token", "SLACK_BOT_TOKEN")


# ---------------------------------------------------------------------------- directories
def test_only_the_default_data_dir_is_created(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from storage import open_store

    clean_env.setenv("CLAIMBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'nonexistent' / 'dir' / 'x.db'}")
    with pytest.raises(StorageUnavailable, match="no such directory"):
        open_store(load_settings())
    assert not (tmp_path / "nonexistent").exists()
    clean_env.delenv("CLAIMBOT_DATABASE_URL")
    clean_env.setenv("CLAIMBOT_DATA_DIR", str(tmp_path / "fresh" / "data"))
    open_store(load_settings()).close()
    assert (tmp_path / "fresh" / "data" / "claimbot.db").is_file()


def test_an_unwritable_data_dir_says_permission_denied(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from storage import open_store

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    clean_env.setenv("CLAIMBOT_DATA_DIR", str(locked))
    try:
        if os.geteuid() == 0:  # root writes anywhere: make the check see what a user would
            real_access = os.access
            clean_env.setattr(
                os, "access", lambda p, mode, **kw: False if Path(p) == locked else real_access(p, mode, **kw)
            )
        with pytest.raises(StorageUnavailable, match="permission denied"):
            open_store(load_settings())
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize(("value", "expected"), [("", None), ("  ", None), ("0.6", 0.6), ("0", 0.0)])
def test_statement_confidence_empty_means_the_models_own(
    clean_env: pytest.MonkeyPatch, value: str, expected: float | None
) -> None:
    clean_env.setenv("CLAIMBOT_STATEMENT_CONFIDENCE", value)
    assert load_settings().statement_confidence == expected
