"""The one settings class: read from the environment and `.env`, never from code."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.engines import POSTGRES_SCHEMES


class Settings(BaseSettings):
    """Every setting of ideabot; `.env.example` lists each with a comment."""

    model_config = SettingsConfigDict(
        env_prefix="IDEABOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    db: Path | str = Field(
        default=Path("ideabot.db"),
        description="SQLite file of the backlog, or a postgresql:// URL of a shared database",
    )
    model_path: str | None = Field(
        default=None,
        description="sentence-transformers model folder (torch); bundled MiniLM on ONNX if unset",
    )
    embed_batch_size: int = Field(default=64, ge=1, le=1024)
    max_idea_length: int = Field(default=4000, ge=50, le=40000)
    log_level: str = Field(default="INFO")
    # Webhooks to loopback, private and link-local addresses, and over http: off unless set.
    webhook_allow_private: bool = Field(default=False)

    # Discord: the bot token, and optional REST / gateway proxies (unset: Discord's own).
    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    discord_api_base: str | None = Field(default=None, validation_alias="DISCORD_API_BASE")
    discord_gateway_url: str | None = Field(default=None, validation_alias="DISCORD_GATEWAY_URL")
    # A bot split over processes: how many shards in all, and which this process runs.
    discord_shard_count: int | None = Field(default=None, validation_alias="DISCORD_SHARD_COUNT")
    discord_shard_ids: str | None = Field(default=None, validation_alias="DISCORD_SHARD_IDS")

    # Slack: bot token; Socket Mode with an app token, or HTTP with a signing secret and port.
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET"
    )
    slack_port: int | None = Field(default=None, ge=1, le=65535, validation_alias="SLACK_PORT")
    slack_api_url: str | None = Field(default=None, validation_alias="SLACK_API_URL")
    # conversations.history calls a minute: 50 (Tier 3) for Marketplace apps and apps made
    # before 29 May 2025; 1 (15 messages a call) for other apps made since.
    slack_history_per_minute: float = Field(default=50, gt=0, le=1000)

    # The web board (`ideabot serve`; `ideabot run` serves it too when web_port is set).
    web_port: int | None = Field(default=None, ge=0, le=65535)
    web_host: str = Field(default="127.0.0.1")
    # Where readers reach the board (behind a proxy): read links start with it.
    web_url: str | None = Field(default=None)
    # Requests a minute each client may make (a burst of as many is allowed); 0: no limit.
    web_rate_per_minute: int = Field(default=120, ge=0, le=1_000_000)
    # Behind a reverse proxy: count requests by the address it appends to X-Forwarded-For.
    web_trust_proxy: bool = Field(default=False)

    @field_validator("db", mode="before")
    @classmethod
    def _database(cls, value: object) -> Path | str:
        # A URL stays text (a Path would fold its "//"); anything else is a file path.
        text = str(value)
        return text if text.startswith(POSTGRES_SCHEMES) else Path(text)
