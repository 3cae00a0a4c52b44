"""The fake sns."""
