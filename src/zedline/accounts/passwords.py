"""Password hashing with argon2 (through passlib)."""

from __future__ import annotations

from passlib.context import CryptContext


class PasswordHasher:
    def __init__(self, *, fast: bool = False) -> None:
        # `fast` lowers the cost for tests and bulk demo data only; never for real accounts.
        params = (
            {"argon2__memory_cost": 1024, "argon2__time_cost": 1, "argon2__parallelism": 1}
            if fast
            else {}
        )
        self._ctx = CryptContext(schemes=["argon2"], deprecated="auto", **params)

    def hash(self, password: str) -> str:
        return str(self._ctx.hash(password))

    def verify(self, password: str, password_hash: str) -> bool:
        try:
            return bool(self._ctx.verify(password, password_hash))
        except (ValueError, TypeError):
            return False

    def dummy_verify(self) -> None:
        """Spend the time of a verification, so unknown e-mails answer as slowly as known ones."""
        self._ctx.dummy_verify()
