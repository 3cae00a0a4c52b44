"""The fake Lambda service: functions, versions, aliases, layers, and an in-process Python runtime."""
