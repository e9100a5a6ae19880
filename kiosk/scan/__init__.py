"""Scanning: capture worker, decoder chain, keyboard-wedge input and payload parsing. No Qt here.

Entry points: ``payloads.parse_payload`` and ``payloads.format_label_payload``,
``decoding.decode_image``, ``pipeline.CameraScanner`` and ``pipeline.WedgeScanner``.
"""
