"""DynamoDB control plane: create, describe, list, update and delete tables; tags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, validation_error
from fakeaws.services.base import permission
from fakeaws.services.dynamodb.table import Index, Table, Throughput
from fakeaws.services.dynamodb.validation import Constraints, invalid

if TYPE_CHECKING:
    from fakeaws.calls import Call

MAX_GSIS = 20
MAX_LSIS = 5
MAX_TAGS = 50


def table_resource(backend: Any, call: Call) -> list[str]:
    """The table ARN an operation acts on (IAM resource), from TableName or an ARN."""
    name = call.params.get("TableName") or call.params.get("ResourceArn", "*")
    if name.startswith("arn:"):
        return [name]
    return [backend.arn(f"table/{name}")]


class ControlPlane:
    """Mixin of DynamoDBBackend: table lifecycle."""

    tables: dict[str, Table]

    # -- lookup ----------------------------------------------------------------------
    def _table_name(self, name_or_arn: str) -> str:
        if name_or_arn.startswith("arn:"):
            return name_or_arn.rsplit("table/", 1)[-1].split("/", 1)[0]
        return name_or_arn

    def table(self, name_or_arn: str) -> Table:
        """A table the data plane can use (ACTIVE or UPDATING), or AWS's not-found error."""
        table = self.tables.get(self._table_name(name_or_arn))
        if table is None or table.status in ("CREATING", "DELETING"):
            raise AWSError("ResourceNotFoundException", "Requested resource not found")
        return table

    def _described_table(self, name_or_arn: str) -> Table:
        name = self._table_name(name_or_arn)
        table = self.tables.get(name)
        if table is None:
            raise AWSError(
                "ResourceNotFoundException",
                f"Requested resource not found: Table: {name} not found",
            )
        return table

    # -- operations ------------------------------------------------------------------
    @permission(resources=table_resource)
    def create_table(self, call: Call) -> dict:
        p = call.params
        _check_create(p)
        name = p["TableName"]
        if name in self.tables:
            raise AWSError("ResourceInUseException", f"Table already exists: {name}")
        billing = p.get("BillingMode", "PROVISIONED")
        throughput = _throughput(p.get("ProvisionedThroughput"), billing)
        table = Table(
            name=name,
            arn=self.arn(f"table/{name}"),
            table_id=self.cloud.new_request_id(),
            key_schema=p["KeySchema"],
            attribute_types={
                a["AttributeName"]: a["AttributeType"] for a in p["AttributeDefinitions"]
            },
            billing_mode=billing,
            throughput=throughput,
            created=call.time,
        )
        for spec in p.get("LocalSecondaryIndexes", []):
            table.add_index(self._index(table, spec, "LSI"))
        for spec in p.get("GlobalSecondaryIndexes", []):
            table.add_index(self._index(table, spec, "GSI"))
        if p.get("StreamSpecification", {}).get("StreamEnabled"):
            table.stream_specification = dict(p["StreamSpecification"])
        table.deletion_protection = p.get("DeletionProtectionEnabled", False)
        table.table_class = p.get("TableClass", "STANDARD")
        table.tags = {t["Key"]: t["Value"] for t in p.get("Tags", [])}
        self.tables[name] = table
        self._later(self._activate, name)
        return {"TableDescription": table.describe()}

    @permission(resources=table_resource)
    def describe_table(self, call: Call) -> dict:
        return {"Table": self._described_table(call.params["TableName"]).describe()}

    def list_tables(self, call: Call) -> dict:
        p = call.params
        limit = p.get("Limit", 100)
        if limit > 100:
            raise validation_error(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                "constraint: Member must have value less than or equal to 100"
            )
        names = sorted(self.tables)
        start = p.get("ExclusiveStartTableName")
        if start is not None:
            names = [n for n in names if n > start]
        out: dict[str, Any] = {"TableNames": names[:limit]}
        if len(names) > limit:
            out["LastEvaluatedTableName"] = names[limit - 1]
        return out

    @permission(resources=table_resource)
    def delete_table(self, call: Call) -> dict:
        table = self._described_table(call.params["TableName"])
        if table.deletion_protection:
            raise validation_error(
                "Resource cannot be deleted as it is currently protected against deletion. "
                "Disable deletion protection first."
            )
        if table.status in ("CREATING", "UPDATING", "DELETING"):
            raise AWSError(
                "ResourceInUseException",
                f"Attempt to change a resource which is still in use: Table is being "
                f"{'created' if table.status == 'CREATING' else 'updated'}: {table.name}",
            )
        table.status = "DELETING"
        description = table.describe()
        self._later(self._drop, table.name)
        return {"TableDescription": description}

    @permission(resources=table_resource)
    def update_table(self, call: Call) -> dict:
        p = call.params
        table = self._described_table(p["TableName"])
        changes = [
            k
            for k in (
                "BillingMode",
                "ProvisionedThroughput",
                "GlobalSecondaryIndexUpdates",
                "StreamSpecification",
                "SSESpecification",
                "ReplicaUpdates",
                "TableClass",
                "DeletionProtectionEnabled",
                "OnDemandThroughput",
                "WarmThroughput",
            )
            if k in p
        ]
        if not changes:
            raise validation_error(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
            )
        if table.status != "ACTIVE":
            raise AWSError(
                "ResourceInUseException",
                f"Attempt to change a resource which is still in use: Table is being "
                f"{table.status.lower().replace('ing', 'ed')}: {table.name}",
            )
        for definition in p.get("AttributeDefinitions", []):
            table.attribute_types.setdefault(
                definition["AttributeName"], definition["AttributeType"]
            )
        self._update_billing(table, p, call.time)
        self._update_indexes(table, p.get("GlobalSecondaryIndexUpdates", []), call.time)
        if "StreamSpecification" in p:
            spec = p["StreamSpecification"]
            table.stream_specification = dict(spec) if spec.get("StreamEnabled") else None
        if "DeletionProtectionEnabled" in p:
            table.deletion_protection = p["DeletionProtectionEnabled"]
        if "TableClass" in p:
            table.table_class = p["TableClass"]
        if {"BillingMode", "ProvisionedThroughput", "TableClass"} & set(changes):
            table.status = "UPDATING"
            self._later(self._activate, table.name)
        return {"TableDescription": table.describe()}

    # -- tags ------------------------------------------------------------------------------
    def _tagged(self, arn: str) -> Table:
        table = self.tables.get(self._table_name(arn)) if arn.startswith("arn:") else None
        if table is None or table.arn != arn:
            raise AWSError(
                "ResourceNotFoundException",
                f"Requested resource not found: ResourcArn: {arn} not found",
            )
        return table

    @permission(resources=table_resource)
    def tag_resource(self, call: Call) -> dict:
        table = self._tagged(call.params["ResourceArn"])
        tags = dict(table.tags)
        tags.update({t["Key"]: t["Value"] for t in call.params["Tags"]})
        if len(tags) > MAX_TAGS:
            raise validation_error("One or more parameter values were invalid: Too many tags")
        table.tags = tags
        return {}

    @permission(resources=table_resource)
    def untag_resource(self, call: Call) -> dict:
        table = self._tagged(call.params["ResourceArn"])
        for key in call.params["TagKeys"]:
            table.tags.pop(key, None)
        return {}

    @permission(resources=table_resource)
    def list_tags_of_resource(self, call: Call) -> dict:
        table = self._tagged(call.params["ResourceArn"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in table.tags.items()]}

    # -- helpers ------------------------------------------------------------------------------
    def _later(self, method: Any, *args: Any) -> None:
        """Status changes land after ``table_delay`` virtual seconds (0: before the next call)."""
        delay = self.cloud.settings.dynamodb.table_delay
        self.cloud.scheduler.call_later(delay, method, *args)

    def _activate(self, name: str) -> None:
        table = self.tables.get(name)
        if table is None or table.status == "DELETING":
            return
        table.status = "ACTIVE"
        for index in table.indexes.values():
            if index.status in ("CREATING", "UPDATING"):
                index.status, index.backfilling = "ACTIVE", False

    def _drop(self, name: str) -> None:
        table = self.tables.get(name)
        if table is not None and table.status == "DELETING":
            del self.tables[name]

    def _index(self, table: Table, spec: dict, kind: str) -> Index:
        index_throughput = None
        if kind == "GSI":
            index_throughput = _throughput(spec.get("ProvisionedThroughput"), table.billing_mode)
        return Index(
            name=spec["IndexName"],
            kind=kind,
            arn=f"{table.arn}/index/{spec['IndexName']}",
            key_schema=spec["KeySchema"],
            projection=spec["Projection"],
            table_keys=table.key_attributes,
            throughput=index_throughput,
        )

    def _update_billing(self, table: Table, p: dict, now: float) -> None:
        billing = p.get("BillingMode", table.billing_mode)
        if billing == "PAY_PER_REQUEST":
            if "ProvisionedThroughput" in p:
                raise invalid(
                    "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                    "BillingMode is PAY_PER_REQUEST"
                )
            if table.billing_mode != billing:
                table.billing_mode, table.billing_mode_updated = billing, now
                table.throughput = Throughput()
                for index in table.indexes.values():
                    if index.kind == "GSI":
                        index.throughput = Throughput()
            return
        if table.billing_mode != billing and "ProvisionedThroughput" not in p:
            raise invalid(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode "
                "is PROVISIONED"
            )
        if "ProvisionedThroughput" in p:
            new = p["ProvisionedThroughput"]
            old = table.throughput
            if table.billing_mode == billing and (
                new["ReadCapacityUnits"],
                new["WriteCapacityUnits"],
            ) == (
                old.read,
                old.write,
            ):
                read, write = new["ReadCapacityUnits"], new["WriteCapacityUnits"]
                raise validation_error(
                    "The provisioned throughput for the table will not change. The requested "
                    "value equals the current value. Current ReadCapacityUnits provisioned for "
                    f"the table: {old.read}. Requested ReadCapacityUnits: {read}. Current "
                    f"WriteCapacityUnits provisioned for the table: {old.write}. Requested "
                    f"WriteCapacityUnits: {write}. Refer to the Amazon DynamoDB Developer Guide "
                    "for current limits and how to request higher limits."
                )
            table.throughput = _changed_throughput(old, new, now)
        table.billing_mode = billing

    def _update_indexes(self, table: Table, updates: list[dict], now: float) -> None:
        creates_or_deletes = [u for u in updates if "Create" in u or "Delete" in u]
        if len(creates_or_deletes) > 1:
            raise AWSError(
                "LimitExceededException",
                "Subscriber limit exceeded: Only 1 online index can be created or deleted "
                "simultaneously per table",
            )
        for update in updates:
            if "Create" in update:
                spec = update["Create"]
                _check_index_spec(spec, table.attribute_types, table.billing_mode, Constraints())
                if spec["IndexName"] in table.indexes:
                    raise validation_error(
                        f"One or more parameter values were invalid: Index with name "
                        f"{spec['IndexName']} already exists"
                    )
                if sum(i.kind == "GSI" for i in table.indexes.values()) >= MAX_GSIS:
                    raise invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20")
                index = self._index(table, spec, "GSI")
                index.status, index.backfilling = "CREATING", True
                table.add_index(index)  # backfilled from the items already in the table
                self._later(self._activate, table.name)
            elif "Delete" in update:
                name = update["Delete"]["IndexName"]
                if table.indexes.get(name, None) is None or table.indexes[name].kind != "GSI":
                    raise AWSError(
                        "ResourceNotFoundException",
                        f"Requested resource not found: Index: {name} not found",
                    )
                del table.indexes[name]
            elif "Update" in update:
                spec = update["Update"]
                index = table.indexes.get(spec["IndexName"])
                if index is None or index.kind != "GSI":
                    raise AWSError(
                        "ResourceNotFoundException",
                        f"Requested resource not found: Index: {spec['IndexName']} not found",
                    )
                if "ProvisionedThroughput" in spec:
                    index.throughput = _changed_throughput(
                        index.throughput or Throughput(), spec["ProvisionedThroughput"], now
                    )


# -- CreateTable validation ------------------------------------------------------------


def _check_create(p: dict) -> None:
    c = Constraints()
    c.name(p["TableName"], "tableName")
    for n, definition in enumerate(p["AttributeDefinitions"], 1):
        c.enum(
            definition["AttributeType"],
            f"attributeDefinitions.{n}.member.attributeType",
            ["B", "N", "S"],
        )
    _check_key_schema(p["KeySchema"], "keySchema", c)
    c.enum(p.get("BillingMode"), "billingMode", ["PROVISIONED", "PAY_PER_REQUEST"])
    for kind in ("localSecondaryIndexes", "globalSecondaryIndexes"):
        param = kind[0].upper() + kind[1:]
        for n, spec in enumerate(p.get(param, []), 1):
            c.name(spec["IndexName"], f"{kind}.{n}.member.indexName")
            _check_key_schema(spec["KeySchema"], f"{kind}.{n}.member.keySchema", c)
            c.enum(
                spec["Projection"].get("ProjectionType"),
                f"{kind}.{n}.member.projection.projectionType",
                ["ALL", "KEYS_ONLY", "INCLUDE"],
            )
    c.raise_any()
    _check_key_order(p["KeySchema"])

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

    defined = [a["AttributeName"] for a in p["AttributeDefinitions"]]
    types = {a["AttributeName"]: a["AttributeType"] for a in p["AttributeDefinitions"]}
    keys = [k["AttributeName"] for k in p["KeySchema"]]
    lsis, gsis = p.get("LocalSecondaryIndexes"), p.get("GlobalSecondaryIndexes")
    if len(keys) > len(defined):
        raise validation_error("Invalid KeySchema: Some index key attribute have no definition")
    if any(k not in types for k in keys):
        raise invalid(
            f"Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(keys)}], AttributeDefinitions: [{', '.join(defined)}]"
        )
    if lsis is None and gsis is None and len(keys) != len(defined):
        raise invalid(
            "Number of attributes in KeySchema does not exactly match number of attributes "
            "defined in AttributeDefinitions"
        )
    if lsis is not None:
        _check_lsis(lsis, keys, types)
    if gsis is not None:
        if not gsis:
            raise invalid("List of GlobalSecondaryIndexes is empty")
        if len(gsis) > MAX_GSIS:
            raise invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20")
        for spec in gsis:
            _check_index_spec(spec, types, billing, None)
    names = [i["IndexName"] for i in (lsis or []) + (gsis or [])]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise invalid(f"Duplicate index name: {duplicate}")
    used = set(keys) | {
        k["AttributeName"] for i in (lsis or []) + (gsis or []) for k in i["KeySchema"]
    }
    if set(defined) - used:
        raise invalid(
            f"Some AttributeDefinitions are not used. AttributeDefinitions: "
            f"[{', '.join(defined)}], keys used: [{', '.join(k for k in defined if k in used)}]"
        )


def _check_key_schema(schema: list[dict], path: str, c: Constraints) -> None:
    c.max_length(schema, path, 2)
    for n, element in enumerate(schema, 1):
        c.enum(element["KeyType"], f"{path}.{n}.member.keyType", ["HASH", "RANGE"])


def _check_key_order(schema: list[dict]) -> None:
    if schema[0]["KeyType"] != "HASH":
        raise validation_error(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
        )
    if len(schema) == 2:
        if schema[1]["KeyType"] != "RANGE":
            raise validation_error(
                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
            )
        if schema[0]["AttributeName"] == schema[1]["AttributeName"]:
            raise validation_error(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name"
            )


def _check_lsis(lsis: list[dict], keys: list[str], types: dict[str, str]) -> None:
    if not lsis:
        raise invalid("List of LocalSecondaryIndexes is empty")
    if len(keys) != 2:
        raise invalid(
            "Table KeySchema does not have a range key, which is required when specifying a "
            "LocalSecondaryIndex"
        )
    if len(lsis) > MAX_LSIS:
        raise invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5")
    for spec in lsis:
        schema = spec["KeySchema"]
        _check_key_order(schema)
        if len(schema) != 2:
            raise invalid(
                f"Index KeySchema does not have a range key for index: {spec['IndexName']}"
            )
        if schema[0]["AttributeName"] != keys[0]:
            raise invalid(
                f"Index KeySchema does not have the same leading hash key as table KeySchema for "
                f"index: {spec['IndexName']}. index hash key: {schema[0]['AttributeName']}, "
                f"table hash key: {keys[0]}"
            )
        _check_index_keys_defined(schema, types)
        _check_projection(spec)


def _check_index_spec(
    spec: dict, types: dict[str, str], billing: str, c: Constraints | None
) -> None:
    if c is not None:
        c.name(spec["IndexName"], "globalSecondaryIndexUpdates.1.member.create.indexName")
        c.raise_any()
    _check_key_order(spec["KeySchema"])
    _check_index_keys_defined(spec["KeySchema"], types)
    _check_projection(spec)
    if billing == "PAY_PER_REQUEST" and "ProvisionedThroughput" in spec:
        raise invalid(
            f"ProvisionedThroughput should not be specified for index: {spec['IndexName']} when "
            "BillingMode is PAY_PER_REQUEST"
        )
    if billing == "PROVISIONED" and "ProvisionedThroughput" not in spec:
        raise invalid(f"ProvisionedThroughput must be specified for index: {spec['IndexName']}")


def _check_index_keys_defined(schema: list[dict], types: dict[str, str]) -> None:
    missing = [k["AttributeName"] for k in schema if k["AttributeName"] not in types]
    if missing:
        raise invalid(
            f"Some index key attributes are not defined in AttributeDefinitions. Keys: "
            f"[{', '.join(k['AttributeName'] for k in schema)}], AttributeDefinitions: "
            f"[{', '.join(types)}]"
        )


def _check_projection(spec: dict) -> None:
    projection = spec["Projection"]
    kind = projection.get("ProjectionType")
    if kind is None:
        raise invalid("Unknown ProjectionType: null")
    if kind != "INCLUDE" and "NonKeyAttributes" in projection:
        raise invalid(f"ProjectionType is {kind}, but NonKeyAttributes is specified")
    if kind == "INCLUDE" and not projection.get("NonKeyAttributes"):
        raise invalid("NonKeyAttributes must not be empty")


def _throughput(spec: dict | None, billing: str) -> Throughput:
    if billing == "PAY_PER_REQUEST" or spec is None:
        return Throughput()
    return Throughput(read=spec["ReadCapacityUnits"], write=spec["WriteCapacityUnits"])


def _changed_throughput(old: Throughput, new: dict, now: float) -> Throughput:
    read, write = new["ReadCapacityUnits"], new["WriteCapacityUnits"]
    result = Throughput(read, write, old.last_increase, old.last_decrease, old.decreases_today)
    if read > old.read or write > old.write:
        result.last_increase = now
    if read < old.read or write < old.write:
        result.last_decrease = now
        result.decreases_today += 1
    return result
