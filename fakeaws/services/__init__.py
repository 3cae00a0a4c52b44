"""Fake AWS service backends, one package per service (see ``registry``)."""
