"""Provider secrets sealed at rest: Fernet tokens made with ``FLEET_CREDENTIALS_KEY``.

``fleet credentials set`` seals an org's client secret before it reaches the database; ingest
opens it when it builds that org's clients. The key never enters the database, so neither a
dump nor a role that reads ``provider_credentials`` learns a secret without it.

``FLEET_CREDENTIALS_KEY`` is one Fernet key, or several separated by commas for a rotation:
the first seals, every one opens (``MultiFernet``); ``fleet credentials rotate`` then seals
every stored secret again with the first, after which the others can go. In development an
unset key is generated once into the state folder; in production it must be set.

Errors::

    ConfigError                 (core.config) the key setting is missing or malformed
     └─ CredentialsUnreadable   a stored secret does not open with the key: names the org
                                and the provider, never the secret
"""

from __future__ import annotations

from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.config import ConfigError, is_prod, state_dir

KEY_SETTING = "FLEET_CREDENTIALS_KEY"


class CredentialsUnreadable(ConfigError):
    """A stored secret that the configured key cannot open (wrong key, or tampered)."""


def load_credentials_key(env: Mapping[str, str]) -> MultiFernet:
    """The keys of ``FLEET_CREDENTIALS_KEY`` (the first seals); fails fast when unusable."""
    raw = env.get("FLEET_CREDENTIALS_KEY", "").strip()
    if not raw:
        if is_prod(env):
            raise ConfigError(
                f"{KEY_SETTING} must be set when APP_ENV=prod: the key of the stored provider "
                "credentials (make one with `fleet credentials new-key`)"
            )
        from core import state  # local: the state folder is read only without the setting

        raw = state.dev_credentials_key(state_dir(env))
    return MultiFernet([_fernet(key.strip()) for key in raw.split(",") if key.strip()])


def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError:
        # The message names the setting only: the value is a secret.
        raise ConfigError(
            f"{KEY_SETTING} holds a malformed key: each must be 32 url-safe base64-encoded "
            "bytes (make one with `fleet credentials new-key`)"
        ) from None


def new_key() -> str:
    """A fresh key for ``FLEET_CREDENTIALS_KEY``."""
    return Fernet.generate_key().decode()


def seal(box: MultiFernet, secret: str) -> bytes:
    """The secret as a Fernet token, sealed with the first key."""
    return box.encrypt(secret.encode())


def open_sealed(box: MultiFernet, token: bytes, org: str, provider: str) -> str:
    """The secret of ``org``'s ``provider`` credentials; CredentialsUnreadable if the key fails."""
    try:
        return box.decrypt(token).decode()
    except InvalidToken:
        raise _unreadable(org, provider) from None


def reseal(box: MultiFernet, token: bytes, org: str, provider: str) -> bytes:
    """The token sealed again with the first key (a key rotation's step)."""
    try:
        return box.rotate(token)
    except InvalidToken:
        raise _unreadable(org, provider) from None


def _unreadable(org: str, provider: str) -> CredentialsUnreadable:
    return CredentialsUnreadable(
        f"the stored {provider} credentials of org {org} do not open with {KEY_SETTING} "
        "(a key rotated out too early, or another installation's key); set them again "
        "with `fleet credentials set`"
    )
