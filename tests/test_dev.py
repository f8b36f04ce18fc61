"""``dev.py``: a first run says what it is doing while pip works for minutes."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def fake_packages(tmp_path, monkeypatch, *, node: bool = True, installed: bool = True) -> Path:
    """A packages/ directory, with npm and node on PATH or not."""
    packages = tmp_path / "packages"
    (packages / "node_modules").mkdir(parents=True)
    lock = packages / "package-lock.json"
    lock.write_text('{"lockfileVersion": 3}')
    if installed:
        digest = dev.hashlib.sha256(lock.read_bytes()).hexdigest()
        (packages / "node_modules" / ".installed-lock").write_text(digest)
    monkeypatch.setattr(dev, "PACKAGES", packages)
    monkeypatch.setattr(dev.shutil, "which", lambda name: f"/usr/bin/{name}" if node else None)
    return packages


def fake_test_command(monkeypatch, returns=lambda name: 0) -> list[str]:
    commands: list[str] = []
    monkeypatch.setattr(dev, "ensure_venv", lambda lock: None)
    monkeypatch.setattr(dev, "ensure_chromium", lambda: None)

    def record(*args, **kw):
        name = Path(args[0]).name
        commands.append(f"{name} {args[1]}" if name == "npm" else name)
        return returns(name)

    monkeypatch.setattr(dev, "run", record)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for flag in dev.NODE_REQUIRED_BY:
        monkeypatch.delenv(flag, raising=False)
    return commands


def test_the_test_command_type_checks_after_linting_and_before_the_suite(tmp_path, monkeypatch):
    fake_packages(tmp_path, monkeypatch)
    commands = fake_test_command(monkeypatch)

    dev.test([])

    assert commands == ["ruff", "ruff", "mypy", "npm test", "pytest"]


def test_the_npm_packages_install_once_per_lock_file(tmp_path, monkeypatch):
    packages = fake_packages(tmp_path, monkeypatch, installed=False)
    commands = fake_test_command(monkeypatch)

    dev.test([])
    dev.test([])

    assert commands.count("npm ci") == 1
    assert commands.count("npm test") == 2
    (packages / "package-lock.json").write_text('{"lockfileVersion": 3, "changed": true}')
    dev.test([])
    assert commands.count("npm ci") == 2


def test_failing_npm_packages_fail_the_test_command_after_the_suite_ran(tmp_path, monkeypatch):
    fake_packages(tmp_path, monkeypatch)
    commands = fake_test_command(monkeypatch, returns=lambda name: 1 if name == "npm" else 0)

    with pytest.raises(SystemExit, match=r"Failed: the npm packages\."):
        dev.test([])

    assert commands[-1] == "pytest"


def test_without_node_the_packages_are_skipped_loudly(tmp_path, monkeypatch, capsys):
    fake_packages(tmp_path, monkeypatch, node=False)
    commands = fake_test_command(monkeypatch)

    dev.test([])

    assert "npm packages in packages/ are NOT built or tested" in capsys.readouterr().out
    assert commands == ["ruff", "ruff", "mypy", "pytest"]


def test_without_node_a_run_that_requires_everything_fails(tmp_path, monkeypatch):
    fake_packages(tmp_path, monkeypatch, node=False)
    fake_test_command(monkeypatch)
    monkeypatch.setenv("REQUIRE_BROWSER", "1")

    with pytest.raises(SystemExit, match=r"Failed: the npm packages\."):
        dev.test([])


def test_a_run_narrowed_to_some_tests_leaves_the_npm_packages_out(tmp_path, monkeypatch):
    fake_packages(tmp_path, monkeypatch)
    commands = fake_test_command(monkeypatch)

    dev.test(["tests/test_dev.py"])

    assert commands == ["ruff", "ruff", "mypy", "pytest"]
