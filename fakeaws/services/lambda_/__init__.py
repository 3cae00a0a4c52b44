"""The fake Lambda service: functions, versions, aliases, layers, an in-process runtime."""
