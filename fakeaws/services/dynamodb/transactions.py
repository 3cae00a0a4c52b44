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
from fakeaws.services.dynamodb.capacity import (
    Consumption,
    check_mode,
    read_units,
    wants,
    write_units,
)
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
    item_size,
    sort_key,
    validate_item,
    validate_key_attributes,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call

MAX_ACTIONS = 100
TRANSACTIONAL = 2  # a transaction reads or writes each item twice: prepare, then commit
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

    _tokens: dict[str, tuple]

    # from Accounting
    throttles: Any
    read_refusal: Any
    charge: Any

    @permission(resources=_transaction_tables)
    def transact_write_items(self, call: Call) -> dict:
        p = call.params
        check_mode(p)
        entries = p["TransactItems"]
        if len(entries) > MAX_ACTIONS:
            raise validation_error(
                "1 validation error detected: Value at 'transactItems' failed to satisfy "
                "constraint: Member must have length less than or equal to 100"
            )
        mode = wants(p)
        seen = self.repeated_token(p.get("ClientRequestToken"), p["TransactItems"], call.time)
        if seen is not None:
            return replayed(self, seen, mode)
        actions = [self._prepare(entry) for entry in entries]
        changes, spent, sizes = commit(actions, self, call.time)
        self.remember_token(p.get("ClientRequestToken"), p["TransactItems"], call.time, sizes)
        out: dict[str, Any] = {}
        if p.get("ReturnItemCollectionMetrics") == "SIZE":
            metrics = batch_metrics((action.table, action.key) for action in changes)
            if metrics:
                out["ItemCollectionMetrics"] = metrics
        if mode is not None:
            out["ConsumedCapacity"] = [c.response(mode) for c in spent.values()]
        return out

    @permission(resources=_transaction_tables)
    def transact_get_items(self, call: Call) -> dict:
        check_mode(call.params)
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
        items = read_all(self, [(table, key) for table, key, _ in plans], call.time)
        responses = []
        for (_, _, projection), (item, _) in zip(plans, items):
            if item is None:
                responses.append({})
            else:
                responses.append(
                    {"Item": projection.apply(item) if projection else copy_item(item)}
                )
        out: dict[str, Any] = {"Responses": responses}
        mode = wants(call.params)
        if mode is not None:
            out["ConsumedCapacity"] = [c.response(mode) for c in _spent(items).values()]
        return out

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

    def repeated_token(self, token: str | None, request: Any, now: float) -> tuple | None:
        """ClientRequestToken: what is remembered of this request if it already succeeded.

        Shared by TransactWriteItems and PartiQL's ExecuteTransaction: None
        unless the same request went through within 10 minutes. Only a
        request that went through is remembered (``remember_token``): one that
        failed runs again when retried.
        """
        if token is None:
            return None
        tokens = self._tokens
        for old in [t for t, entry in tokens.items() if now - entry[1] > TOKEN_SECONDS]:
            del tokens[old]
        seen = tokens.get(token)
        if seen is None:
            return None
        if seen[0] != _fingerprint(request):
            raise AWSError(
                "IdempotentParameterMismatchException",
                "The request uses the same client token as a previous, but non-identical request. "
                "Do not reuse a client token with different requests, unless the requests are "
                "identical.",
            )
        return seen

    def remember_token(
        self, token: str | None, request: Any, now: float, sizes: list | None = None
    ) -> None:
        """Remember a request that went through, and its items' sizes (a replay's capacity)."""
        if token is not None:
            self._tokens[token] = (_fingerprint(request), now, sizes or [])


def commit(steps: list[Any], backend: Any, now: float) -> tuple[list, dict, list]:
    """Apply a transaction's write steps all or nothing.

    Returns the steps that wrote, the capacity consumed per table
    (``Consumption``) and the (table name, size) each item was charged on.
    Shared by TransactWriteItems and PartiQL's ExecuteTransaction. A step has
    ``table``, ``key``, ``return_on_failure``, ``writes``, ``failure(old)`` (a
    (code, message) pair or None) and ``new_item(old)``. A PROVISIONED table
    (or GSI) without capacity cancels the transaction first
    (``ProvisionedThroughputExceeded``); then every condition is checked and
    every new item computed before anything is written: AWS cancels the
    whole transaction for a failed condition or for a change it cannot make
    (wrong operand type, item too large...), with a reason per step.

    Capacity: each item twice its write units (prepare and commit), on the
    table only (index writes cost what they cost outside a transaction); a
    ConditionCheck too, as a write. A cancelled transaction is charged its
    prepare phase (once per item), and reports nothing.
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
    olds = [step.table.get(step.key) for step in steps]
    refusals = [
        backend.write_refusal(step.table, old, getattr(step, "item", None), now)
        if backend.throttles(step.table)
        else None
        for step, old in zip(steps, olds)
    ]
    if any(refusals):
        raise cancelled(
            [
                {"Code": "ProvisionedThroughputExceeded", "Message": r} if r else {"Code": "None"}
                for r in refusals
            ]
        )
    reasons, outcomes = [], []
    for step, old in zip(steps, olds):
        failure = step.failure(old)
        reason: dict[str, Any] = {"Code": "None"}
        new = old
        if failure is not None:
            reason = {"Code": failure[0], "Message": failure[1]}
            if step.return_on_failure and old is not None:
                reason["Item"] = copy_item(old)
        elif step.writes:
            try:
                new = step.new_item(old)
            except AWSError as err:
                reason = {"Code": "ValidationError", "Message": err.message}
        reasons.append(reason)
        outcomes.append((step, old, new))
    if any(r["Code"] != "None" for r in reasons):
        for step, old, new in outcomes:  # the prepare phase was done
            units = write_units(max(_size(old), _size(new)))
            backend.charge(step.table, Consumption(step.table.name, units, "write"), True, now)
        raise cancelled(reasons)
    spent: dict[str, Consumption] = {}
    wrote, sizes = [], []
    for step, old, new in outcomes:
        table = step.table
        old_size = _size(old)
        index_units = None
        if not step.writes:
            size = old_size
        else:
            new_size = _size(new)
            size = max(old_size, new_size)
            if new is not None or old is not None:
                index_units = table.write(step.key, new, old, old_size, new_size).index_units
            wrote.append(step)
        units = write_units(size)
        sizes.append((table.name, size))
        consumption = Consumption(table.name, TRANSACTIONAL * units, "write")
        consumption.add_indexes(table, index_units)
        backend.charge(table, consumption, True, now)
        _add(spent, consumption)
    return wrote, spent, sizes


def read_all(backend: Any, gets: list[tuple[Table, dict]], now: float) -> list[tuple]:
    """A transaction's reads: (item, consumption) per get, all admitted or none.

    Transactional reads are strongly consistent and cost twice a strongly
    consistent read (a missing item the minimum, twice).
    """
    refusals = [
        backend.read_refusal(table, None, now) if backend.throttles(table) else None
        for table, _ in gets
    ]
    if any(refusals):
        raise cancelled(
            [
                {"Code": "ProvisionedThroughputExceeded", "Message": r} if r else {"Code": "None"}
                for r in refusals
            ]
        )
    out = []
    for table, key in gets:
        item = table.get(key)
        consumption = Consumption(table.name, TRANSACTIONAL * read_units(_size(item)), "read")
        backend.charge(table, consumption, False, now)
        out.append((item, consumption))
    return out


def replayed(backend: Any, seen: tuple, mode: str | None) -> dict:
    """The answer to a repeated ClientRequestToken: nothing written, the items read again.

    DynamoDB reports the replay as transactional reads of the items the first
    call wrote (measured: 4 write units the first time, 2 read units the replay,
    for a 1.5 KB item).
    """
    if mode is None:
        return {}
    spent: dict[str, Consumption] = {}
    for name, size in seen[2]:
        _add(spent, Consumption(name, TRANSACTIONAL * read_units(size), "read"))
    return {"ConsumedCapacity": [c.response(mode) for c in spent.values()]}


def _spent(items: list[tuple]) -> dict[str, Consumption]:
    spent: dict[str, Consumption] = {}
    for _, consumption in items:
        _add(spent, consumption)
    return spent


def _add(spent: dict[str, Consumption], consumption: Consumption) -> None:
    total = spent.get(consumption.table_name)
    if total is None:
        total = spent[consumption.table_name] = Consumption(
            consumption.table_name, 0.0, consumption.split
        )
    total.merge(consumption)


def _size(item: dict | None) -> int:
    return item_size(item) if item is not None else 0


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
