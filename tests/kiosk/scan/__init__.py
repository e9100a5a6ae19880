"""Tests of kiosk.scan: payloads, decoding, capture, wedge input and the pipeline."""
