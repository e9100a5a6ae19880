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


def test_relative_paths_are_read_from_the_file_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "station"
    folder.mkdir()
    (folder / "station.toml").write_text(
        'db_path = "st1.db"\nreference_file = "ref/reference.toml"\nsync_ca_bundle = "/etc/ca.pem"\n'
        '[camera]\nsource = "labels.mp4"\n'
    )
    monkeypatch.chdir(tmp_path)  # a command run from another folder
    config = load_config(Path("station/station.toml"))
    assert config.store_path == folder / "st1.db"
    assert config.reference_file == str(folder / "ref" / "reference.toml")
    assert config.sync_ca_bundle == "/etc/ca.pem"
    assert config.camera_source == str(folder / "labels.mp4")


@pytest.mark.parametrize(
    ("source", "expected"), [("0", "0"), (2, "2"), ("rtsp://127.0.0.1:8554/line", "rtsp://127.0.0.1:8554/line")]
)
def test_camera_index_and_stream_stay_as_written(tmp_path: Path, source: object, expected: str) -> None:
    path = tmp_path / "station.toml"
    path.write_text(f"[camera]\nsource = {source!r}\n".replace("'", '"'))
    assert load_config(path).camera_source == expected


def test_config_folder_or_missing_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as folder:
        load_config(tmp_path)
    assert str(folder.value) == f"configuration file {tmp_path} is a folder, not a file; give the path of the file"
    with pytest.raises(ConfigError) as missing:
        load_config(tmp_path / "absent.toml")
    assert str(missing.value) == f"configuration file {tmp_path / 'absent.toml'} not found; check the path"
