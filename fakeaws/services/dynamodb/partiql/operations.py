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
(DynamoDB runs one Query per value); ``ReturnConsumedCapacity`` is ignored;
the IAM action is ``dynamodb:ExecuteStatement`` (and the batch/transaction
ones), not the statement's ``dynamodb:PartiQLSelect``/``Insert``/``Update``/
``Delete``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, validation_error
from fakeaws.services.base import permission
from fakeaws.services.dynamodb.partiql import parser, plan
from fakeaws.services.dynamodb.reads import PAGE_BYTES
from fakeaws.services.dynamodb.table import Table
from fakeaws.services.dynamodb.transactions import MAX_ACTIONS, commit
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

    _tokens: dict[str, tuple[str, float]]

    @permission(action=_statement_action, resources=_statement_resource)
    def execute_statement(self, call: Call) -> dict:
        p = call.params
        statement = parser.parse(p["Statement"])
        if isinstance(statement, parser.Exists):
            raise validation_error("EXISTS can only be used in ExecuteTransaction write requests.")
        bound = plan.bind(self, statement, p.get("Parameters"))
        if isinstance(statement, parser.Select):
            return self._select(bound, p)
        write = plan.write_plan(bound)
        old = write.table.get(write.key)
        failure = write.failure(old)
        if failure is not None:
            fields = {}
            if p.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
                fields["Item"] = copy_item(old)
            raise AWSError(_EXCEPTIONS[failure[0]], failure[1], **fields)
        new, paths = write.new_item(old)
        if new is not None or old is not None:
            write.table.write(write.key, new)
        return {"Items": write.returned(old, new, paths)}

    @permission(resources=_batch_resources)
    def batch_execute_statement(self, call: Call) -> dict:
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
        return {"Responses": [self._batch_one(entry) for entry in entries]}

    @permission(resources=_transaction_resources)
    def execute_transaction(self, call: Call) -> dict:
        p = call.params
        entries = p["TransactStatements"]
        if len(entries) > MAX_ACTIONS:
            raise validation_error(
                "1 validation error detected: Value at 'transactStatements' failed to satisfy "
                "constraint: Member must have length less than or equal to 100"
            )
        if self.repeated_token(p.get("ClientRequestToken"), p["TransactStatements"], call.time):
            return {}
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
            return {"Responses": [_item_response(g.item()) for g in gets]}
        writes = [
            _in_transaction(n, lambda s=s, e=e: self._transaction_write(s, e))
            for n, (s, e) in enumerate(zip(statements, entries))
        ]
        self._apply_transaction(writes, entries)
        self.remember_token(p.get("ClientRequestToken"), p["TransactStatements"], call.time)
        return {}

    # -- ExecuteStatement SELECT ---------------------------------------------------------------

    def _select(self, bound: plan.Bound, p: dict) -> dict:
        select = plan.select_plan(bound, bool(p.get("ConsistentRead")))
        fingerprint = _fingerprint(p["Statement"], bound.parameters)
        start = _start_key(p.get("NextToken"), fingerprint, select)
        limit = p.get("Limit")
        items: list[dict] = []
        size = 0
        last = None
        for scanned, entry in enumerate(select.candidates(start), 1):
            entry_size = item_size(entry)
            if scanned > 1 and size + entry_size > PAGE_BYTES:
                break
            size += entry_size
            last = entry
            item = select.full_item(entry)
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
        return out

    # -- BatchExecuteStatement ------------------------------------------------------------------

    def _batch_one(self, entry: dict) -> dict:
        table_name = None
        try:
            statement = parser.parse(entry["Statement"])
            if isinstance(statement, parser.Exists):
                raise validation_error(
                    "EXISTS can only be used in ExecuteTransaction write requests."
                )
            bound = plan.bind(self, statement, entry.get("Parameters"))
            table_name = bound.table.name
            if isinstance(statement, parser.Select):
                if statement.index is not None:
                    raise validation_error("This operation is not supported on an index")
                item = plan.get_plan(bound).item()
                return {"TableName": table_name, **({"Item": item} if item is not None else {})}
            write = plan.write_plan(bound)
            old = write.table.get(write.key)
            failure = write.failure(old)
            if failure is not None:
                error: dict[str, Any] = {"Code": failure[0], "Message": failure[1]}
                if entry.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old:
                    error["Item"] = copy_item(old)
                return {"Error": error, "TableName": table_name}
            new, _ = write.new_item(old)
            if new is not None or old is not None:
                write.table.write(write.key, new)
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

    def _apply_transaction(self, writes: list[plan.WritePlan], entries: list[dict]) -> None:
        commit([_Step(write, entry) for write, entry in zip(writes, entries)])


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
