"""DynamoDB TransactWriteItems and TransactGetItems.

A transaction is validated whole, then every condition is checked against the
current items, then (only if all pass) every write is applied, all under the
cloud's lock: other threads see all of it or none of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, validation_error
from fakeaws.services.base import permission
from fakeaws.services.dynamodb import expressions
from fakeaws.services.dynamodb.batch import batch_metrics
from fakeaws.services.dynamodb.items import (
    _attributes,
    _check_index_keys,
    _check_update_against_schema,
    _key,
    updated_item,
)
from fakeaws.services.dynamodb.table import Table
from fakeaws.services.dynamodb.types import (
    copy_item,
    sort_key,
    validate_item,
    validate_key_attributes,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call

MAX_ACTIONS = 100
TOKEN_SECONDS = 600  # ClientRequestToken idempotency window
_ACTIONS = ("ConditionCheck", "Put", "Delete", "Update")


def _transaction_tables(backend: Any, call: Call) -> list[str]:
    names = []
    for entry in call.params.get("TransactItems", []):
        for action in entry.values():
            if action.get("TableName") and action["TableName"] not in names:
                names.append(action["TableName"])
    return [backend.arn(f"table/{name}") for name in names]


@dataclass
class _Action:
    """One prepared action of a TransactWriteItems request."""

    kind: str
    table: Table
    key: dict
    condition: Any
    item: dict | None = None  # Put
    update: Any = None  # Update
    return_on_failure: bool = False

    @property
    def writes(self) -> bool:
        return self.kind != "ConditionCheck"

    def failure(self, old: dict | None) -> tuple[str, str] | None:
        if self.condition is None or self.condition.evaluate(old):
            return None
        return ("ConditionalCheckFailed", "The conditional request failed")

    def new_item(self, old: dict | None) -> dict | None:
        if self.kind == "Put":
            return self.item
        if self.kind == "Delete":
            return None
        return updated_item(self.table, self.key, self.update, old)[0]


class Transactions:
    """Mixin of DynamoDBBackend: transactions."""

    def table(self, name_or_arn: str) -> Table: ...  # from ControlPlane

    _tokens: dict[str, tuple[str, float]]

    @permission(resources=_transaction_tables)
    def transact_write_items(self, call: Call) -> dict:
        p = call.params
        entries = p["TransactItems"]
        if len(entries) > MAX_ACTIONS:
            raise validation_error(
                "1 validation error detected: Value at 'transactItems' failed to satisfy "
                "constraint: Member must have length less than or equal to 100"
            )
        if self.repeated_token(p.get("ClientRequestToken"), p["TransactItems"], call.time):
            return {}
        actions = [self._prepare(entry) for entry in entries]
        changes = commit(actions)
        self.remember_token(p.get("ClientRequestToken"), p["TransactItems"], call.time)
        if p.get("ReturnItemCollectionMetrics") == "SIZE":
            metrics = batch_metrics((action.table, action.key) for action in changes)
            if metrics:
                return {"ItemCollectionMetrics": metrics}
        return {}

    @permission(resources=_transaction_tables)
    def transact_get_items(self, call: Call) -> dict:
        entries = call.params["TransactItems"]
        if len(entries) > MAX_ACTIONS:
            raise validation_error(
                "1 validation error detected: Value at 'transactItems' failed to satisfy "
                "constraint: Member must have length less than or equal to 100"
            )
        plans = []
        for entry in entries:
            get = entry["Get"]
            table = self.table(get["TableName"])
            attrs = _attributes(get)
            projection = None
            if "ProjectionExpression" in get:
                projection = expressions.projection(get["ProjectionExpression"], attrs)
            attrs.check_all_used()
            plans.append((table, _key(table, get["Key"]), projection))
        responses = []
        for table, key, projection in plans:
            item = table.get(key)
            if item is None:
                responses.append({})
            else:
                responses.append(
                    {"Item": projection.apply(item) if projection else copy_item(item)}
                )
        return {"Responses": responses}

    # -- helpers --------------------------------------------------------------------------
    def _prepare(self, entry: dict) -> _Action:
        kinds = [k for k in _ACTIONS if k in entry]
        if len(kinds) != 1:
            raise validation_error(
                "TransactItems can only contain one of Check, Put, Update or Delete"
            )
        kind = kinds[0]
        spec = entry[kind]
        table = self.table(spec["TableName"])
        attrs = _attributes(spec)
        update = None
        if kind == "Put":
            item = validate_item(spec["Item"])
            validate_key_attributes(item, table.key_schema, table.attribute_types, what="item")
            _check_index_keys(table, item)
            key = table.key_of(item)
        else:
            item = None
            key = _key(table, spec["Key"])
            if kind == "Update":
                update = expressions.update(spec["UpdateExpression"], attrs)
                _check_update_against_schema(table, update)
        condition = None
        if "ConditionExpression" in spec:
            condition = expressions.condition(spec["ConditionExpression"], attrs)
        elif kind == "ConditionCheck":
            raise validation_error(
                "1 validation error detected: Value null at "
                "'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy "
                "constraint: Member must not be null"
            )
        attrs.check_all_used()
        return _Action(
            kind,
            table,
            key,
            condition,
            item=item,
            update=update,
            return_on_failure=spec.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD",
        )

    def repeated_token(self, token: str | None, request: Any, now: float) -> bool:
        """ClientRequestToken: True if this request already succeeded within 10 minutes.

        Shared by TransactWriteItems and PartiQL's ExecuteTransaction. Only a
        request that went through is remembered (``remember_token``): one that
        failed runs again when retried.
        """
        if token is None:
            return False
        tokens = self._tokens
        for old in [t for t, (_, at) in tokens.items() if now - at > TOKEN_SECONDS]:
            del tokens[old]
        seen = tokens.get(token)
        if seen is None:
            return False
        if seen[0] != _fingerprint(request):
            raise AWSError(
                "IdempotentParameterMismatchException",
                "The request uses the same client token as a previous, but non-identical request. "
                "Do not reuse a client token with different requests, unless the requests are "
                "identical.",
            )
        return True

    def remember_token(self, token: str | None, request: Any, now: float) -> None:
        if token is not None:
            self._tokens[token] = (_fingerprint(request), now)


def commit(steps: list[Any]) -> list[Any]:
    """Apply a transaction's write steps all or nothing; returns the steps that wrote.

    Shared by TransactWriteItems and PartiQL's ExecuteTransaction. A step has
    ``table``, ``key``, ``return_on_failure``, ``writes``, ``failure(old)`` (a
    (code, message) pair or None) and ``new_item(old)``. Every condition is
    checked and every new item computed before anything is written: AWS cancels
    the whole transaction for a failed condition or for a change it cannot make
    (wrong operand type, item too large...), with a reason per step.
    """
    seen = set()
    for step in steps:
        identity = (step.table.name,) + tuple(
            sort_key(step.key[n]) for n in step.table.key_attributes
        )
        if identity in seen:
            raise validation_error(
                "Transaction request cannot include multiple operations on one item"
            )
        seen.add(identity)
    reasons, changes = [], []
    for step in steps:
        old = step.table.get(step.key)
        failure = step.failure(old)
        reason: dict[str, Any] = {"Code": "None"}
        if failure is not None:
            reason = {"Code": failure[0], "Message": failure[1]}
            if step.return_on_failure and old is not None:
                reason["Item"] = copy_item(old)
        elif step.writes:
            try:
                changes.append((step, old, step.new_item(old)))
            except AWSError as err:
                reason = {"Code": "ValidationError", "Message": err.message}
        reasons.append(reason)
    if any(r["Code"] != "None" for r in reasons):
        raise cancelled(reasons)
    for step, old, new in changes:
        if new is not None or old is not None:
            step.table.write(step.key, new, old)
    return [step for step, _, _ in changes]


def cancelled(reasons: list[dict]) -> AWSError:
    """TransactionCanceledException with a reason per action, in request order."""
    codes = ", ".join(r["Code"] for r in reasons)
    return AWSError(
        "TransactionCanceledException",
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
        CancellationReasons=reasons,
    )


def _fingerprint(request: Any) -> str:
    return json.dumps(request, sort_keys=True, default=repr)
