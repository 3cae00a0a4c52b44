"""Who is calling: principals and the credentials that map to them.

Every intercepted call carries the access key botocore would have signed with.
The cloud's ``IdentityRegistry`` maps access keys to principals; a key it does
not know (the fake keys fakeaws puts in the environment, or whatever the user
had configured) is the root user of the default account, as a request signed
with an account's root keys would be.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

_KEY_CHARS = string.ascii_uppercase + "234567"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller, as STS GetCallerIdentity describes it.

    ``kind`` is ``root``, ``user``, ``assumed-role`` or ``federated-user``.
    ``source_arn`` is the IAM entity the permissions come from (the role ARN
    for an assumed role, the user ARN for a user, the root ARN for root).
    """

    account: str
    arn: str
    user_id: str
    kind: str
    source_arn: str = ""
    session_name: str | None = None

    @classmethod
    def root(cls, account: str, partition: str = "aws") -> Principal:
        arn = f"arn:{partition}:iam::{account}:root"
        return cls(account=account, arn=arn, user_id=account, kind="root", source_arn=arn)

    @classmethod
    def user(
        cls, account: str, name: str, user_id: str, path: str = "/", partition: str = "aws"
    ) -> Principal:
        arn = f"arn:{partition}:iam::{account}:user{path}{name}"
        return cls(account=account, arn=arn, user_id=user_id, kind="user", source_arn=arn)

    @classmethod
    def assumed_role(
        cls,
        account: str,
        role_name: str,
        role_id: str,
        session_name: str,
        path: str = "/",
        partition: str = "aws",
    ) -> Principal:
        return cls(
            account=account,
            arn=f"arn:{partition}:sts::{account}:assumed-role/{role_name}/{session_name}",
            user_id=f"{role_id}:{session_name}",
            kind="assumed-role",
            source_arn=f"arn:{partition}:iam::{account}:role{path}{role_name}",
            session_name=session_name,
        )


@dataclass
class Credential:
    """A set of keys the world issued, and whom they belong to."""

    access_key_id: str
    secret_access_key: str
    principal: Principal
    session_token: str | None = None
    expiration: float | None = None  # epoch seconds on the cloud's clock; None = long-term
    attributes: dict[str, Any] = field(default_factory=dict)


def root_access_key(account: str) -> str:
    """The deterministic root access key fakeaws gives an account (AKIA + 16 chars)."""
    return "AKIAFAKE" + account[-12:].rjust(12, "0")


class IdentityRegistry:
    """Access key -> credential, for the whole world (all accounts)."""

    def __init__(self, default_account: str, partition: str = "aws") -> None:
        self.default_account = default_account
        self.partition = partition
        self._default_root = Principal.root(default_account, partition)
        self._by_key: dict[str, Credential] = {}

    def register(self, credential: Credential) -> Credential:
        self._by_key[credential.access_key_id] = credential
        return credential

    def root_credential(self, account: str | None = None) -> Credential:
        """The root keys of an account (created on first use)."""
        account = account or self.default_account
        key = root_access_key(account)
        cred = self._by_key.get(key)
        if cred is None:
            root = Principal.root(account, self.partition)
            cred = self.register(Credential(key, "fakeaws/root/secret", root))
        return cred

    def lookup(self, access_key_id: str | None) -> Credential | None:
        return self._by_key.get(access_key_id) if access_key_id else None

    def principal_for(self, access_key_id: str | None) -> Principal:
        cred = self._by_key.get(access_key_id) if access_key_id else None
        return cred.principal if cred is not None else self._default_root

    def revoke(self, access_key_id: str) -> None:
        self._by_key.pop(access_key_id, None)

    def new_access_key_id(self, rng: Any, prefix: str = "AKIA") -> str:
        """A fresh AWS-looking key id (AKIA... long-term, ASIA... temporary)."""
        while True:
            key = prefix + "".join(rng.choice(_KEY_CHARS) for _ in range(16))
            if key not in self._by_key:
                return key

    @staticmethod
    def new_secret(rng: Any) -> str:
        chars = string.ascii_letters + string.digits + "+/"
        return "".join(rng.choice(chars) for _ in range(40))
