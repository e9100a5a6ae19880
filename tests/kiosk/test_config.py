"""Station configuration errors: an unknown key suggests the nearest settings, a wrong type says what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config


def load_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "station.toml"
    path.write_text(text)
    load_config(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[label]\nsise = "50x25"\n', "unknown setting 'label_sise'; did you mean label_size, "),
        ('[camera]\nsorce = "0"\n', "unknown setting 'camera_sorce'; did you mean camera_source or camera_fps?"),
        ('station = "ST-02"\n', "unknown setting 'station'; did you mean station_id?"),
        ("flux_capacitor = 1\n", "unknown setting 'flux_capacitor'; docs/configuration.md lists every setting"),
    ],
)
def test_unknown_setting_suggests_nearest(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, text)

    assert message in str(caught.value)
    # The nearest few, not every one of the settings.
    assert "printer_retry_max_s" not in str(caught.value)
    assert str(caught.value).endswith("docs/configuration.md lists every setting")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[label]\ndpi = "203"\n', "setting label_dpi = '203' must be a whole number"),
        ('[label]\nmin_module_mm = "0.3"\n', "setting label_min_module_mm = '0.3' must be a number"),
        ("station_id = 7\n", "setting station_id = 7 must be a string"),
        ('[label]\ncustom_sizes = "70x40"\n', "setting label_custom_sizes = '70x40' must be a list"),
        ("[ui]\nfullscreen = 1\n", "setting ui_fullscreen = 1 must be true or false"),
        ("[label]\ndpi = true\n", "setting label_dpi = True must be a whole number"),
    ],
)
def test_wrong_type_names_expected(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_text(tmp_path, text)
