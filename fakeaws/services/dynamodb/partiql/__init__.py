"""PartiQL for DynamoDB: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction."""

from fakeaws.services.dynamodb.partiql.operations import PartiQL

__all__ = ["PartiQL"]
