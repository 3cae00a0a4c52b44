"""Small stand-in backends for testing the core machinery through real clients.

They fake a few operations of real botocore services (whatever the project
implements later), registered only inside a test with ``override_backend``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fakeaws.errors import AWSError
from fakeaws.services.base import Backend, permission


class TablesBackend(Backend):
    """A toy DynamoDB: enough for resources, paginators, waiters and errors."""

    service = "dynamodb"
    iam_prefix = "dynamodb"

    def __init__(self, cloud, account_id, region):
        super().__init__(cloud, account_id, region)
        self.tables: dict[str, dict] = {}

    def _table_arn(self, call):
        return [self.arn(f"table/{call.params.get('TableName', '*')}")]

    @permission(resources=_table_arn)
    def create_table(self, call):
        name = call.params["TableName"]
        if name in self.tables:
            raise AWSError("ResourceInUseException", f"Table already exists: {name}")
        created = self.cloud.clock.time()
        self.tables[name] = {"created": created, "items": {}}
        # Becomes ACTIVE 30 virtual seconds later, via the scheduler.
        self.cloud.scheduler.call_later(30, self._activate, name)
        return {"TableDescription": self._describe(name)}

    def _activate(self, name):
        if name in self.tables:
            self.tables[name]["active"] = True

    def _describe(self, name):
        table = self.tables[name]
        return {
            "TableName": name,
            "TableStatus": "ACTIVE" if table.get("active") else "CREATING",
            "CreationDateTime": datetime.fromtimestamp(table["created"], timezone.utc),
            "TableArn": self.arn(f"table/{name}"),
            "ItemCount": len(table["items"]),
        }

    @permission(resources=_table_arn)
    def describe_table(self, call):
        name = call.params["TableName"]
        if name not in self.tables:
            raise AWSError(
                "ResourceNotFoundException",
                f"Requested resource not found: Table: {name} not found",
            )
        return {"Table": self._describe(name)}

    def list_tables(self, call):
        names = sorted(self.tables)
        start = call.params.get("ExclusiveStartTableName")
        if start:
            names = [n for n in names if n > start]
        limit = call.params.get("Limit", 100)
        page = names[:limit]
        out = {"TableNames": page}
        if len(names) > limit:
            out["LastEvaluatedTableName"] = page[-1]
        return out

    def put_item(self, call):
        p = call.params
        table = self.tables[p["TableName"]]
        key = p["Item"]["pk"]["S"]
        old = table["items"].get(key)
        if p.get("ConditionExpression") == "attribute_not_exists(pk)" and old is not None:
            fields = {}
            if p.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD":
                fields["Item"] = old
            raise AWSError(
                "ConditionalCheckFailedException", "The conditional request failed", **fields
            )
        table["items"][key] = p["Item"]
        return {}
