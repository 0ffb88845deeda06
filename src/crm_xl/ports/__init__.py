"""Ports: how a Register comes in from files or live Excel, and how results go out."""
