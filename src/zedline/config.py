"""Platform settings: ZEDLINE_* environment variables or a .env file.

Instantiated only by `zedline.bootstrap.build()` (or an adapter's entry point) and passed down;
the rest of the core never reads the environment.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmtpSettings(BaseModel):
    host: str | None = None
    port: int = 25
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    ssl: bool = False
    timeout: float = 20.0


def _default_data_dir() -> Path:
    return Path.cwd() / "zedline-data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ZEDLINE_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr | None = None
    smtp: SmtpSettings = SmtpSettings()
    mail_from: str = "ZEDLine Support <support@localhost>"
    redis_url: str | None = None
    portal_domain: str | None = None
    # Attachments: largest single file and the disk quota a new portal gets.
    max_upload_bytes: int = 20 * 1024 * 1024
    default_quota_bytes: int = 1024 * 1024 * 1024
    # SQL echo for debugging; never on in production.
    echo_sql: bool = False

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'zedline.sqlite3'}"

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated once and kept in the data dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.touch(mode=0o600)
        path.write_text(key, encoding="utf-8")
        return key

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"
