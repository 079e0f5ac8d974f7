"""Shipped service items (package data): one YAML file per item version."""
