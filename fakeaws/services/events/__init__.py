"""The fake events."""
