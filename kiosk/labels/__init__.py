"""Relabel QR stickers: content from the store, rendering (PNG, SVG, PDF, ZPL), printers and the print queue.

NOTE: nothing in this package imports Qt; the kiosk UI turns the print queue's
status callbacks into signals in its own bridge module.
"""
