"""DynamoDB's request-level checks: what it rejects before looking at any table.

botocore validates types, required members and minimum lengths/values, but not
enums, patterns, maximums, or constraints the model leaves out. DynamoDB reports
those as ``N validation error(s) detected: Value 'x' at 'path' failed to satisfy
constraint: ...``, all found at once, joined by ``; `` (a name that breaks both its
pattern and its length gets the pattern first, as dynalite recorded).

Then come CreateTable's and UpdateTable's own rules (key schema against attribute
definitions, indexes, billing, streams), checked in the order DynamoDB checks
them so that a request gets the error AWS reports first. Their messages come from
dynalite's test suite, recorded against DynamoDB (test/createTable.js,
updateTable.js, deleteTable.js, listTables.js, tagResource.js), and from the
live-probe catalogue of the ack-api-quirks lab, which wins where DynamoDB changed
since dynalite recorded it (name lengths, the "At least one of" list, GSI limits).
"""

from __future__ import annotations

import re
from typing import Any

from fakeaws.errors import UnsupportedOperation, validation_error

NAME_PATTERN = re.compile(r"[a-zA-Z0-9_.-]+")


class Constraints:
    """Collects constraint violations of one request, then raises them together."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, value: Any, path: str, constraint: str) -> None:
        self.problems.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: {constraint}"
        )

    def enum(self, value: Any, path: str, allowed: list[str]) -> None:
        if value is not None and value not in allowed:
            self.fail(value, path, f"Member must satisfy enum value set: [{', '.join(allowed)}]")

    def name(self, value: str | None, path: str, *, minimum: int = 3, maximum: int = 255) -> None:
        """Table and index names: 3-255 characters of [a-zA-Z0-9_.-]."""
        if value is None:
            return
        if not NAME_PATTERN.fullmatch(value):
            self.fail(
                value, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
            )
        if len(value) < minimum:
            self.fail(value, path, f"Member must have length greater than or equal to {minimum}")
        if len(value) > maximum:
            self.fail(value, path, f"Member must have length less than or equal to {maximum}")

    def max_length(self, value: list | None, path: str, maximum: int) -> None:
        if value is not None and len(value) > maximum:
            self.fail(value, path, f"Member must have length less than or equal to {maximum}")

    def at_most(self, value: int | None, path: str, maximum: int) -> None:
        if value is not None and value > maximum:
            self.fail(value, path, f"Member must have value less than or equal to {maximum}")

    def raise_any(self) -> None:
        if not self.problems:
            return
        count = len(self.problems)
        head = f"{count} validation error{'s' if count > 1 else ''} detected: "
        raise validation_error(head + "; ".join(self.problems))


def _show(value: Any) -> str:
    """Values as DynamoDB's (Java) messages print them."""
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_show(v)}" for k, v in value.items()) + "}"
    return str(value)


def invalid(message: str):
    """The common ``One or more parameter values were invalid: ...`` ValidationException."""
    return validation_error(f"One or more parameter values were invalid: {message}")


# -- CreateTable and UpdateTable: the checks that need no table -------------------------------

MAX_GSIS = 20
MAX_LSIS = 5

ATTRIBUTE_TYPES = ["B", "N", "S"]
KEY_TYPES = ["HASH", "RANGE"]
PROJECTION_TYPES = ["ALL", "INCLUDE", "KEYS_ONLY"]
BILLING_MODES = ["PROVISIONED", "PAY_PER_REQUEST"]
STREAM_VIEW_TYPES = ["OLD_IMAGE", "KEYS_ONLY", "NEW_AND_OLD_IMAGES", "NEW_IMAGE"]
TABLE_CLASSES = ["STANDARD", "STANDARD_INFREQUENT_ACCESS"]

# UpdateTable members that ask for a change (AttributeDefinitions alone does not).
UPDATE_MEMBERS = (
    "BillingMode",
    "ProvisionedThroughput",
    "GlobalSecondaryIndexUpdates",
    "StreamSpecification",
    "SSESpecification",
    "ReplicaUpdates",
    "TableClass",
    "DeletionProtectionEnabled",
    "MultiRegionConsistency",
    "GlobalTableWitnessUpdates",
    "OnDemandThroughput",
    "WarmThroughput",
    "GlobalTableSettingsReplicationMode",
)
AT_LEAST_ONE = (
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
    "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
    "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
    "OnDemandThroughput, WarmThroughput or TableClass is required"
)
# Changes an UpdateTable may only make on their own, in the order DynamoDB checks them.
ONLY_OPERATION = {
    "SSESpecification": "Server-Side Encryption modification",
    "TableClass": "TableClass modification",
    "DeletionProtectionEnabled": "DeletionProtection modification",
    "ReplicaUpdates": "Replica modification",
}


def check_create_table(p: dict) -> None:
    """CreateTable's checks, in the order DynamoDB makes them."""
    _create_constraints(p)
    billing = p.get("BillingMode", "PROVISIONED")
    if billing == "PAY_PER_REQUEST" and "ProvisionedThroughput" in p:
        raise invalid(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode "
            "is PAY_PER_REQUEST"
        )
    if billing == "PROVISIONED" and "ProvisionedThroughput" not in p:
        raise invalid(
            "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode "
            "is PROVISIONED"
        )
    _check_table_class(p)
    stream = p.get("StreamSpecification")
    if stream is not None and stream["StreamEnabled"] != ("StreamViewType" in stream):
        raise invalid(
            "Table is being created with a stream enabled, UpdateViewType is required"
            if stream["StreamEnabled"]
            else "Table is being created with a stream disabled, UpdateViewType should not be "
            "specified"
        )
    defined = [a["AttributeName"] for a in p["AttributeDefinitions"]]
    duplicate = next((n for n in defined if defined.count(n) > 1), None)
    if duplicate:
        raise validation_error(f"Attribute Name is duplicated: {duplicate}")
    keys = [k["AttributeName"] for k in p["KeySchema"]]
    if len(keys) > len(defined):
        raise validation_error("Invalid KeySchema: Some index key attribute have no definition")
    check_defined(keys, defined)
    _check_key_order(p["KeySchema"])
    lsis, gsis = p.get("LocalSecondaryIndexes"), p.get("GlobalSecondaryIndexes")
    if lsis is None and gsis is None:
        if len(keys) != len(defined):
            raise invalid(
                "Number of attributes in KeySchema does not exactly match number of attributes "
                "defined in AttributeDefinitions"
            )
        return
    if lsis is not None:
        _check_lsi_keys(lsis, keys, defined)
    if gsis is not None:
        if not gsis:
            raise invalid("List of GlobalSecondaryIndexes is empty")
        for spec in gsis:
            check_defined([k["AttributeName"] for k in spec["KeySchema"]], defined)
            check_gsi_key(spec["KeySchema"], "CreateTable")
    indexes = (lsis or []) + (gsis or [])
    used = dict.fromkeys(keys + [k["AttributeName"] for i in indexes for k in i["KeySchema"]])
    if set(defined) - set(used):
        raise invalid(
            f"Some AttributeDefinitions are not used. AttributeDefinitions: "
            f"[{', '.join(defined)}], keys used: [{', '.join(used)}]"
        )
    seen: set[str] = set()
    for spec, is_gsi in [(s, False) for s in lsis or []] + [(s, True) for s in gsis or []]:
        check_projection(spec["Projection"])
        if is_gsi:
            _check_gsi_throughput(spec, billing)
        if spec["IndexName"] in seen:
            raise invalid(f"Duplicate index name: {spec['IndexName']}")
        seen.add(spec["IndexName"])
    if len(lsis or []) > MAX_LSIS:
        raise invalid(f"Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LSIS}")
    if len(gsis or []) > MAX_GSIS:
        raise invalid(f"GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GSIS}")


def _create_constraints(p: dict) -> None:
    c = Constraints()
    for n, definition in enumerate(p["AttributeDefinitions"], 1):
        path = f"attributeDefinitions.{n}.member.attributeType"
        c.enum(definition["AttributeType"], path, ATTRIBUTE_TYPES)
    c.name(p["TableName"], "tableName")
    c.max_length(p["KeySchema"], "keySchema", 2)
    _key_type_constraints(p["KeySchema"], "keySchema", c)
    for param, path in (
        ("LocalSecondaryIndexes", "localSecondaryIndexes"),
        ("GlobalSecondaryIndexes", "globalSecondaryIndexes"),
    ):
        for n, spec in enumerate(p.get(param, []), 1):
            member = f"{path}.{n}.member"
            c.name(spec["IndexName"], f"{member}.indexName")
            if param == "LocalSecondaryIndexes":  # GSI keys may have up to 8 attributes
                c.max_length(spec["KeySchema"], f"{member}.keySchema", 2)
            _key_type_constraints(spec["KeySchema"], f"{member}.keySchema", c)
            _projection_constraints(spec["Projection"], f"{member}.projection", c)
    c.enum(p.get("BillingMode"), "billingMode", BILLING_MODES)
    stream_view = p.get("StreamSpecification", {}).get("StreamViewType")
    c.enum(stream_view, "streamSpecification.streamViewType", STREAM_VIEW_TYPES)
    c.raise_any()


def _key_type_constraints(schema: list[dict], path: str, c: Constraints) -> None:
    for n, element in enumerate(schema, 1):
        c.enum(element["KeyType"], f"{path}.{n}.member.keyType", KEY_TYPES)


def _projection_constraints(projection: dict, path: str, c: Constraints) -> None:
    c.enum(projection.get("ProjectionType"), f"{path}.projectionType", PROJECTION_TYPES)


def _check_table_class(p: dict) -> None:
    if p.get("TableClass", "STANDARD") not in TABLE_CLASSES:
        raise validation_error(
            "Invalid table-class parameter provided. Please try again with a valid table-class "
            f"value: [{', '.join(TABLE_CLASSES)}]."
        )


def check_defined(keys: list[str], defined: list[str]) -> None:
    if any(k not in defined for k in keys):
        raise invalid(
            f"Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(keys)}], AttributeDefinitions: [{', '.join(defined)}]"
        )


def _check_key_order(schema: list[dict]) -> None:
    """A table or LSI key: HASH, then optionally RANGE, on two different attributes."""
    if len(schema) == 2 and schema[0]["AttributeName"] == schema[1]["AttributeName"]:
        raise validation_error(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name"
        )
    if schema[0]["KeyType"] != "HASH":
        raise validation_error(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
        )
    if len(schema) == 2 and schema[1]["KeyType"] != "RANGE":
        raise validation_error(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
        )


def check_gsi_key(schema: list[dict], operation: str) -> None:
    """A GSI key: DynamoDB also takes up to 4 HASH + 4 RANGE attributes (not modelled here)."""
    multi_attribute = len(schema) > 2 or (len(schema) == 2 and schema[1]["KeyType"] == "HASH")
    if not multi_attribute or schema[0]["KeyType"] != "HASH":
        _check_key_order(schema)
        return
    if len({k["AttributeName"] for k in schema}) < len(schema):
        raise validation_error("The KeySchema contains multiple key attributes with the same name")
    raise UnsupportedOperation(
        "dynamodb", operation, "multi-attribute GSI keys are not modelled yet"
    )


def _check_lsi_keys(lsis: list[dict], keys: list[str], defined: list[str]) -> None:
    if not lsis:
        raise invalid("List of LocalSecondaryIndexes is empty")
    if len(keys) != 2:
        raise invalid(
            "Table KeySchema does not have a range key, which is required when specifying a "
            "LocalSecondaryIndex"
        )
    for spec in lsis:
        name, schema = spec["IndexName"], spec["KeySchema"]
        check_defined([k["AttributeName"] for k in schema], defined)
        _check_key_order(schema)
        if len(schema) != 2:
            raise invalid(f"Index KeySchema does not have a range key for index: {name}")
        if schema[0]["AttributeName"] != keys[0]:
            raise invalid(
                f"Index KeySchema does not have the same leading hash key as table KeySchema for "
                f"index: {name}. index hash key: {schema[0]['AttributeName']}, "
                f"table hash key: {keys[0]}"
            )


def check_projection(projection: dict) -> None:
    kind, attributes = projection.get("ProjectionType"), projection.get("NonKeyAttributes")
    if kind is None:
        raise invalid("Unknown ProjectionType: null")
    if kind != "INCLUDE" and attributes is not None:
        raise invalid(f"ProjectionType is {kind}, but NonKeyAttributes is specified")
    if kind == "INCLUDE" and attributes is None:
        raise invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    duplicate = next((a for a in attributes or [] if attributes.count(a) > 1), None)
    if duplicate:
        raise invalid(f"Duplicate element in NonKeyAttributes: {duplicate}")


def _check_gsi_throughput(spec: dict, billing: str) -> None:
    name = spec["IndexName"]
    if billing == "PAY_PER_REQUEST" and "ProvisionedThroughput" in spec:
        raise invalid(
            f"ProvisionedThroughput should not be specified for index: {name} when BillingMode "
            "is PAY_PER_REQUEST"
        )
    if billing == "PROVISIONED" and "ProvisionedThroughput" not in spec:
        raise invalid(f"ProvisionedThroughput is not specified for index: {name}")


def check_update_table(p: dict) -> list[str]:
    """UpdateTable's checks that need no table (DynamoDB makes them first); its changes."""
    updates = p.get("GlobalSecondaryIndexUpdates", [])
    c = Constraints()
    if not p["TableName"].startswith("arn:"):
        c.name(p["TableName"], "tableName")
    for n, update in enumerate(updates, 1):
        for action, body in update.items():
            path = f"globalSecondaryIndexUpdates.{n}.member.{action.lower()}"
            c.name(body["IndexName"], f"{path}.indexName")
            if action == "Create":
                _key_type_constraints(body["KeySchema"], f"{path}.keySchema", c)
                _projection_constraints(body["Projection"], f"{path}.projection", c)
    c.enum(p.get("BillingMode"), "billingMode", BILLING_MODES)
    stream = p.get("StreamSpecification")
    c.enum(
        (stream or {}).get("StreamViewType"),
        "streamSpecification.streamViewType",
        STREAM_VIEW_TYPES,
    )
    c.raise_any()

    changes = [m for m in UPDATE_MEMBERS if m in p and p[m] != []]
    if not changes:
        raise validation_error(AT_LEAST_ONE)
    if "GlobalSecondaryIndexUpdates" in p and not updates:
        raise invalid("List of GlobalSecondaryIndexUpdates is empty")
    for member, what in ONLY_OPERATION.items():
        if member in changes and len(changes) > 1:
            raise invalid(f"{what} must be the only operation in the request")
    _check_table_class(p)
    seen: list[str] = []
    for update in updates:
        actions = [a for a in ("Update", "Create", "Delete") if a in update]
        if not actions:
            raise invalid(
                "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                "GlobalSecondaryIndexUpdate.Delete must not be null"
            )
        if len(actions) > 1:
            raise invalid(
                "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate "
                "object"
            )
        name = update[actions[0]]["IndexName"]
        if name in seen:
            raise invalid(
                "Only one global secondary index update per index is allowed simultaneously. "
                f"Index: {name}"
            )
        seen.append(name)
    index_jobs = any("Create" in u or "Delete" in u for u in updates)
    if index_jobs and "ProvisionedThroughput" in p:
        raise invalid("You cannot create or delete index while updating table IOPS")
    if index_jobs and stream is not None:
        raise invalid("You cannot create or delete index while changing stream status")
    if stream is not None and (
        "ProvisionedThroughput" in p or p.get("BillingMode") == "PROVISIONED"
    ):
        raise invalid("You cannot modify stream status while updating table IOPS")
    if stream is not None and stream["StreamEnabled"] != ("StreamViewType" in stream):
        raise invalid(
            "If stream is being enabled then UpdateViewType is required"
            if stream["StreamEnabled"]
            else "If stream is being disabled, then UpdateViewType must not be specified"
        )
    return changes
