"""CloudWatch Logs: log groups, streams, events, retention, tags and filter patterns."""
