"""The station: capture and decoding, payload parsing, label printing, the touch UI and the `lineage` tool.

NOTE: only ``kiosk.ui`` and ``kiosk.app`` may import Qt; the rest runs without a screen.
"""
