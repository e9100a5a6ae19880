"""Shared core of Powder Lineage: event records, station store, lineage queries and sync.

NOTE: nothing in this package may import Qt; the central server and command-line
tools run where no Qt is installed.
"""
