"""Loading the screens' translation: assets/i18n/kiosk_<language>.qm, made from kiosk_template.ts."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

I18N = Path(__file__).resolve().parents[2] / "assets" / "i18n"


def install_translator(app: QApplication, language: str) -> QTranslator | None:
    """Install the translation for `language` (the system's when empty); return it, or None when there is none.

    English needs none: the source texts are English.
    """
    name = language or QLocale.system().name()
    if not name or name.startswith(("en", "C")):
        return None
    translator = QTranslator(app)
    for candidate in (name, name.split("_")[0]):
        if translator.load(str(I18N / f"kiosk_{candidate}.qm")):
            app.installTranslator(translator)
            log.info("Screens translated to %s", candidate)
            return translator
    log.info("No translation for %s in %s; the screens stay in English", name, I18N)
    return None
