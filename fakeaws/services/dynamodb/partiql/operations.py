"""DynamoDB's PartiQL operations: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction.

Statements are parsed by ``partiql.parser`` into the expression evaluator's
nodes and planned by ``partiql.plan``; every write goes through
``Table.write``, transactions check every statement before writing any, as
TransactWriteItems does.

Where the messages come from: DynamoDB's PartiQL validation messages
(``ValidationExceptionMessages`` of the PartiQL front end DynamoDB Local
ships, which is DynamoDB's), a 2026 conformance capture against AWS (syntax
error details, "Validation failed in TransactStatements[0]: ..."), and
recordings against DynamoDB Local (an UPDATE of a missing item is a failed
condition, a DELETE of one succeeds, too few parameters fail and extra ones
are ignored, NextToken errors, {"Items": []} for writes).

LIMITATIONS: ``IN`` and ``OR`` on the partition key are evaluated by a Scan
(DynamoDB runs one Query per value), and charged as one; the IAM action is
``dynamodb:ExecuteStatement`` (and the batch/transaction ones), not the
statement's ``dynamodb:PartiQLSelect``/``Insert``/``Update``/``Delete``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, validation_error
from fakeaws.services.base import permission
from fakeaws.services.dynamodb import consistency
from fakeaws.services.dynamodb.capacity import (
    Consumption,
    check_mode,
    read_units,
    wants,
    write_units,
)
from fakeaws.services.dynamodb.partiql import parser, plan
from fakeaws.services.dynamodb.reads import PAGE_BYTES
from fakeaws.services.dynamodb.table import Table
from fakeaws.services.dynamodb.transactions import (
    MAX_ACTIONS,
    _add,
    commit,
    read_all,
    replayed,
)
from fakeaws.services.dynamodb.types import copy_item, item_size, validate_item

if TYPE_CHECKING:
    from fakeaws.calls import Call

MAX_BATCH = 25
_ERRORS = {  # exception code -> BatchStatementError / CancellationReason code
    "ValidationException": "ValidationError",
    "ConditionalCheckFailedException": "ConditionalCheckFailed",
    "DuplicateItemException": "DuplicateItem",
    "ResourceNotFoundException": "ResourceNotFound",
    "ProvisionedThroughputExceededException": "ProvisionedThroughputExceeded",
    "TransactionConflictException": "TransactionConflict",
    "RequestLimitExceeded": "RequestLimitExceeded",
    "ThrottlingException": "ThrottlingError",
    "AccessDeniedException": "AccessDenied",
}
_EXCEPTIONS = {
    "DuplicateItem": "DuplicateItemException",
    "ConditionalCheckFailed": "ConditionalCheckFailedException",
}


def _table_names(texts: list[str]) -> list[str]:
    names = []
    for text in texts:
        try:
            name = parser.parse(text).table
        except AWSError:
            continue
        if name not in names:
            names.append(name)
    return names


def _resources(backend: Any, texts: list[str]) -> list[str]:
    names = _table_names(texts)
    return [backend.arn(f"table/{n}") for n in names] or ["*"]


def _statement_resource(backend: Any, call: Call) -> list[str]:
    return _resources(backend, [call.params.get("Statement", "")])


def _batch_resources(backend: Any, call: Call) -> list[str]:
    return _resources(backend, [s.get("Statement", "") for s in call.params.get("Statements", [])])


def _transaction_resources(backend: Any, call: Call) -> list[str]:
    entries = call.params.get("TransactStatements", [])
    return _resources(backend, [s.get("Statement", "") for s in entries])


_ACTIONS = {
    parser.Select: "dynamodb:PartiQLSelect",
    parser.Insert: "dynamodb:PartiQLInsert",
    parser.Update: "dynamodb:PartiQLUpdate",
    parser.Delete: "dynamodb:PartiQLDelete",
}


def _statement_action(backend: Any, call: Call) -> str:
    """IAM authorizes a PartiQL statement by its kind, not by ExecuteStatement."""
    try:
        statement = parser.parse(call.params.get("Statement", ""))
    except AWSError:
        return "dynamodb:ExecuteStatement"
    return _ACTIONS.get(type(statement), "dynamodb:ExecuteStatement")


class PartiQL:
    """Mixin of DynamoDBBackend: the PartiQL operations."""

    def table(self, name_or_arn: str) -> Table: ...  # from ControlPlane

    _tokens: dict[str, tuple]

    # from Accounting and Transactions
    admit_read: Any
    admit_write: Any
    charge: Any
    repeated_token: Any
    remember_token: Any

    @permission(action=_statement_action, resources=_statement_resource)
    def execute_statement(self, call: Call) -> dict:
        p = call.params
        check_mode(p)
        statement = parser.parse(p["Statement"])
        if isinstance(statement, parser.Exists):
            raise validation_error("EXISTS can only be used in ExecuteTransaction write requests.")
        bound = plan.bind(self, statement, p.get("Parameters"))
        if isinstance(statement, parser.Select):
            return self._select(bound, p, call.time)
        write = plan.write_plan(bound)
        table = write.table
        old = table.get(write.key)
        consumption, new, paths = self._write(write, old, p, call.time)
        out: dict[str, Any] = {"Items": write.returned(old, new, paths)}
        mode = wants(p)
        if mode is not None:
            out["ConsumedCapacity"] = consumption.response(mode)
        return out

    def _write(self, write: plan.WritePlan, old: dict | None, entry: dict, now: float) -> tuple:
        """One statement's write, admitted and charged: (consumption, new item, paths).

        Its errors (a failed condition, a duplicate item: charged as a
        failed conditional write is) are raised as the statement's.
        """
        table = write.table
        new: dict | None = None
        problem = None
        paths: list = []
        try:
            new, paths = write.new_item(old)
        except AWSError as error:
            problem = error
        if table.billing_mode == "PROVISIONED":
            self.admit_write(table, old, new, now)
        old_size = item_size(old) if old is not None else 0
        new_size = item_size(new) if new is not None else 0
        units = write_units(max(old_size, new_size))
        failure = write.failure(old)
        if failure is not None:
            self.charge(table, Consumption(table.name, units), True, now)
            fields = {}
            if entry.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
                fields["Item"] = copy_item(old)
            raise AWSError(_EXCEPTIONS[failure[0]], failure[1], **fields)
        if problem is not None:
            raise problem
        index_units = None
        if new is not None or old is not None:
            index_units = table.write(write.key, new, old, old_size, new_size).index_units
        consumption = Consumption(table.name, units)
        consumption.add_indexes(table, index_units)
        self.charge(table, consumption, True, now)
        return consumption, new, paths

    @permission(resources=_batch_resources)
    def batch_execute_statement(self, call: Call) -> dict:
        check_mode(call.params)
        entries = call.params["Statements"]
        if len(entries) > MAX_BATCH:
            raise validation_error(
                "1 validation error detected: Value at 'statements' failed to satisfy "
                "constraint: Member must have length less than or equal to 25"
            )
        kinds = set()
        for entry in entries:
            try:
                kinds.add(parser.parse(entry["Statement"]).kind == "SELECT")
            except AWSError:
                continue
        if len(kinds) > 1:
            raise validation_error(
                "BatchExecuteStatement API does not support both read and write operations in "
                "the same request."
            )
        spent: dict[str, Consumption] = {}
        responses = [self._batch_one(entry, spent, call.time) for entry in entries]
        out: dict[str, Any] = {"Responses": responses}
        mode = wants(call.params)
        if mode is not None:
            out["ConsumedCapacity"] = [c.response(mode) for c in spent.values()]
        return out

    @permission(resources=_transaction_resources)
    def execute_transaction(self, call: Call) -> dict:
        p = call.params
        check_mode(p)
        entries = p["TransactStatements"]
        if len(entries) > MAX_ACTIONS:
            raise validation_error(
                "1 validation error detected: Value at 'transactStatements' failed to satisfy "
                "constraint: Member must have length less than or equal to 100"
            )
        mode = wants(p)
        seen = self.repeated_token(p.get("ClientRequestToken"), p["TransactStatements"], call.time)
        if seen is not None:
            return replayed(self, seen, mode)
        statements = []
        for n, entry in enumerate(entries):
            statements.append(_in_transaction(n, lambda e=entry: parser.parse(e["Statement"])))
        reads = [isinstance(s, parser.Select) for s in statements]
        if any(reads) and not all(reads):
            raise validation_error(
                "ExecuteTransaction API does not support both read and write operations in the "
                "same request."
            )
        if all(reads):
            gets = [
                _in_transaction(n, lambda s=s, e=e: self._transaction_get(s, e))
                for n, (s, e) in enumerate(zip(statements, entries))
            ]
            items = read_all(self, [(g.table, g.key) for g in gets], call.time)
            out: dict[str, Any] = {
                "Responses": [_item_response(g.shown(item)) for g, (item, _) in zip(gets, items)]
            }
            if mode is not None:
                spent: dict[str, Consumption] = {}
                for _, consumption in items:
                    _add(spent, consumption)
                out["ConsumedCapacity"] = [c.response(mode) for c in spent.values()]
            return out
        writes = [
            _in_transaction(n, lambda s=s, e=e: self._transaction_write(s, e))
            for n, (s, e) in enumerate(zip(statements, entries))
        ]
        steps = [_Step(write, entry) for write, entry in zip(writes, entries)]
        _, spent, sizes = commit(steps, self, call.time)
        self.remember_token(p.get("ClientRequestToken"), p["TransactStatements"], call.time, sizes)
        if mode is not None:
            return {"ConsumedCapacity": [c.response(mode) for c in spent.values()]}
        return {}

    # -- ExecuteStatement SELECT ---------------------------------------------------------------

    def _select(self, bound: plan.Bound, p: dict, now: float) -> dict:
        select = plan.select_plan(bound, bool(p.get("ConsistentRead")))
        fingerprint = _fingerprint(p["Statement"], bound.parameters)
        start = _start_key(p.get("NextToken"), fingerprint, select)
        limit = p.get("Limit")
        table, index = select.table, select.index
        consistent = bool(p.get("ConsistentRead")) and (index is None or index.kind != "GSI")
        self.admit_read(table, index, now)
        candidates = select.candidates(start)
        as_of: dict = {}
        if not consistent and table.journal is not None:
            if select.hash_value is None:
                candidates, as_of = consistency.stale_scan(
                    table.journal, table, index, candidates, start, 0, 1
                )
            else:
                low, high, inclusive = select.bounds
                candidates, as_of = consistency.stale_query(
                    table.journal,
                    table,
                    index,
                    candidates,
                    select.hash_value,
                    low,
                    high,
                    inclusive,
                    select.forward,
                    start,
                )
        fetches = index is not None and index.kind == "LSI" and index.projected is not None
        fetched = 0
        items: list[dict] = []
        size = 0
        last = None
        for scanned, entry in enumerate(candidates, 1):
            entry_size = item_size(entry)
            if scanned > 1 and size + entry_size > PAGE_BYTES:
                break
            size += entry_size
            last = entry
            if fetches:  # an LSI fetches what it does not project from the table
                key = table.key_of(entry)
                item = table.get(key)
                if as_of:
                    item = as_of.get(consistency.identity(table, key), item)
                fetched += read_units(item_size(item) if item is not None else 0)
                item = item or entry
            else:
                item = entry
            if select.condition is None or select.condition.evaluate(item):
                items.append(select.shape(item, entry))
            if limit is not None and scanned >= limit:
                break
        else:
            last = None
        out: dict[str, Any] = {"Items": items}
        if last is not None:
            key = select.key_of(last)
            out["NextToken"] = _token(fingerprint, key)
            out["LastEvaluatedKey"] = key
        factor = 1.0 if consistent else 0.5
        units = read_units(size) * factor
        if index is None:
            consumption = Consumption(table.name, units)
        else:
            consumption = Consumption(table.name, fetched * factor)
            consumption.add_index(index, units)
        self.charge(table, consumption, False, now)
        mode = wants(p)
        if mode is not None:
            out["ConsumedCapacity"] = consumption.response(mode)
        return out

    # -- BatchExecuteStatement ------------------------------------------------------------------

    def _batch_one(self, entry: dict, spent: dict[str, Consumption], now: float) -> dict:
        table_name = None
        try:
            statement = parser.parse(entry["Statement"])
            if isinstance(statement, parser.Exists):
                raise validation_error(
                    "EXISTS can only be used in ExecuteTransaction write requests."
                )
            bound = plan.bind(self, statement, entry.get("Parameters"))
            table = bound.table
            table_name = table.name
            if isinstance(statement, parser.Select):
                if statement.index is not None:
                    raise validation_error("This operation is not supported on an index")
                get = plan.get_plan(bound)
                consistent = bool(entry.get("ConsistentRead"))
                self.admit_read(table, None, now)
                item = table.get(get.key)
                if not consistent and table.journal is not None:
                    item = table.journal.item(table, get.key, item)
                units = read_units(item_size(item) if item is not None else 0)
                consumption = Consumption(table.name, units * (1.0 if consistent else 0.5))
                self.charge(table, consumption, False, now)
                _add(spent, consumption)
                shown = get.shown(item)
                return {"TableName": table_name, **({"Item": shown} if shown is not None else {})}
            write = plan.write_plan(bound)
            old = table.get(write.key)
            try:
                consumption, _, _ = self._write(write, old, entry, now)
            except AWSError as error:
                if error.code not in ("ConditionalCheckFailedException", "DuplicateItemException"):
                    raise
                error_out: dict[str, Any] = {
                    "Code": _ERRORS[error.code],
                    "Message": error.message,
                }
                if "Item" in error.fields:
                    error_out["Item"] = error.fields["Item"]
                return {"Error": error_out, "TableName": table_name}
            _add(spent, consumption)
            return {"TableName": table_name}
        except AWSError as error:
            out: dict[str, Any] = {
                "Error": {
                    "Code": _ERRORS.get(error.code, "InternalServerError"),
                    "Message": error.message,
                }
            }
            if table_name is not None:
                out["TableName"] = table_name
            return out

    # -- ExecuteTransaction ---------------------------------------------------------------------

    def _transaction_get(self, statement: parser.Statement, entry: dict) -> plan.GetPlan:
        if statement.index is not None:  # type: ignore[attr-defined]
            raise validation_error("Reads on indices are not supported within transactions.")
        bound = plan.bind(self, statement, entry.get("Parameters"))
        try:
            return plan.get_plan(bound)
        except AWSError as error:
            if error.message != plan.INCOMPLETE_KEY:
                raise
            raise validation_error(
                "Select statements within ExecuteTransaction must specify the primary key in the "
                "where clause."
            ) from None

    def _transaction_write(self, statement: parser.Statement, entry: dict) -> plan.WritePlan:
        if getattr(statement, "returning", None):
            raise validation_error("Unsupported clause: RETURNING")
        return plan.write_plan(plan.bind(self, statement, entry.get("Parameters")))


@dataclass
class _Step:
    """A PartiQL write statement as a step of ``transactions.commit``."""

    plan: plan.WritePlan
    entry: dict

    @property
    def table(self) -> Table:
        return self.plan.table

    @property
    def key(self) -> dict:
        return self.plan.key

    @property
    def writes(self) -> bool:
        return self.plan.kind != "EXISTS"

    @property
    def return_on_failure(self) -> bool:
        return self.entry.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"

    def failure(self, old: dict | None) -> tuple[str, str] | None:
        return self.plan.failure(old)

    def new_item(self, old: dict | None) -> dict | None:
        return self.plan.new_item(old)[0]


def _in_transaction(n: int, prepare):
    """A statement's validation error, as ExecuteTransaction words it."""
    try:
        return prepare()
    except AWSError as error:
        if error.code != "ValidationException":
            raise
        raise validation_error(
            f"Validation failed in TransactStatements[{n}]: {error.message}"
        ) from None


def _item_response(item: dict | None) -> dict:
    return {} if item is None else {"Item": item}


# -- NextToken: opaque to clients, tied to the statement and its parameters ----------------------


def _fingerprint(statement: str, parameters: list[dict]) -> str:
    raw = json.dumps([statement, parameters], sort_keys=True, default=_encode_bytes)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _encode_bytes(value: Any) -> str:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(type(value))


def _token(fingerprint: str, key: dict) -> str:
    payload = {"f": fingerprint, "k": {n: [*v.items()][0] for n, v in key.items()}}
    raw = json.dumps(payload, default=_encode_bytes).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _start_key(token: str | None, fingerprint: str, select: plan.SelectPlan) -> dict | None:
    if token is None:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        key = {}
        for name, (kind, value) in payload["k"].items():
            key[name] = {kind: base64.b64decode(value) if kind == "B" else value}
        fingerprint_given = payload["f"]
        key = validate_item(key)
    except Exception:
        raise validation_error("Invalid NextToken") from None
    if fingerprint_given != fingerprint or set(key) != set(select.key_names()):
        raise validation_error("The provided starting key is invalid")
    return key
