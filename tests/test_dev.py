"""``dev.py``: a first run says what it is doing while pip works for minutes."""

from __future__ import annotations

from pathlib import Path

import dev


def test_a_cold_start_says_it_creates_the_venv_and_how_many_packages_it_installs(
    tmp_path, monkeypatch, capsys
):
    venv = tmp_path / ".venv"
    monkeypatch.setattr(dev, "VENV", venv)
    monkeypatch.setattr(dev, "PY", venv / "bin" / "python")
    commands: list[tuple[str, ...]] = []

    def record(*args, **kw):  # instead of running python -m venv and pip
        commands.append(tuple(map(str, args)))
        venv.mkdir(exist_ok=True)

    monkeypatch.setattr(dev, "run", record)

    dev.ensure_venv("base.txt")

    out = capsys.readouterr().out
    pins = dev.count_pins(Path(dev.ROOT) / "requirements" / "base.txt")
    assert pins > 20
    assert "Creating the virtual environment .venv/" in out
    assert f"Installing {pins} packages from requirements/base.txt" in out
    assert "first run takes a few minutes" in out
    assert out.index("Creating") < out.index("Installing") < out.index("Packages installed")
    assert commands[-1][-1].endswith("requirements/base.txt")


def test_an_installed_lock_starts_silently(tmp_path, monkeypatch, capsys):
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    monkeypatch.setattr(dev, "VENV", venv)
    monkeypatch.setattr(dev, "PY", venv / "bin" / "python")
    monkeypatch.setattr(dev, "run", lambda *a, **k: None)
    dev.ensure_venv("base.txt")
    capsys.readouterr()

    dev.ensure_venv("base.txt")

    assert capsys.readouterr().out == ""


def test_the_test_command_type_checks_after_linting_and_before_the_suite(monkeypatch):
    commands: list[str] = []
    monkeypatch.setattr(dev, "ensure_venv", lambda lock: None)
    monkeypatch.setattr(dev, "ensure_chromium", lambda: None)
    monkeypatch.setattr(dev, "run", lambda *args, **kw: commands.append(Path(args[0]).name) or 0)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    dev.test([])

    assert commands == ["ruff", "ruff", "mypy", "pytest"]
