#!/usr/bin/env python3
"""The two commands of the README, runnable with nothing but Python 3.11+.

    python3 dev.py serve   install, migrate, seed the demo workspace and serve it
    python3 dev.py test    install the dev dependencies, lint, type-check, and run the whole test suite
                           (plus the npm packages in packages/, when Node.js is installed)

Both create ``.venv`` on first use and reinstall only when a lock file changes.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
SLOWEST = ("--durations=15",)  # print the slowest tests, so a creeping one is seen
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
PACKAGES = ROOT / "packages"
# Any of these set means a machine that must test everything: no Node.js there is a failure.
NODE_REQUIRED_BY = ("REQUIRE_NODE", "REQUIRE_BROWSER", "CI")


def run(
    *args: str | Path, env: dict[str, str] | None = None, check: bool = True, cwd: Path = ROOT
) -> int:
    """Run a command; exit with its code when it fails, unless ``check`` is off."""
    print("+", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env)  # noqa: S603
    if result.returncode and check:
        sys.exit(result.returncode)
    return result.returncode


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def count_pins(lock_path: Path) -> int:
    return sum(1 for line in lock_path.read_text().splitlines() if re.match(r"[\w.-]+==", line))


def ensure_venv(lock: str) -> None:
    """pip stays quiet for minutes on a first run, so say what is going on before each step."""
    if not PY.exists():
        say(f"Creating the virtual environment {VENV.name}/ (first run only)…")
        run(sys.executable, "-m", "venv", VENV)
    lock_path = ROOT / "requirements" / lock
    stamp = VENV / f".installed-{lock}"
    digest = hashlib.sha256(lock_path.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("Upgrading pip…")
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    say(
        f"Installing {count_pins(lock_path)} packages from requirements/{lock} "
        "(the first run takes a few minutes; later runs only when the lock file changes)…"
    )
    run(PY, "-m", "pip", "install", "--quiet", "-r", lock_path)
    stamp.write_text(digest)
    say("Packages installed.")


def find_chromium() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return next((c for c in CHROMIUM_CANDIDATES if Path(c).exists()), None)


def ensure_chromium() -> str | None:
    """Debian's Chromium for the browser tests; installed with apt when we are allowed to."""
    found = find_chromium()
    if found or not shutil.which("apt-get") or os.geteuid() != 0:
        return found
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=apt_env)
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", env=apt_env)
    return find_chromium()


def node_required(env: dict[str, str]) -> bool:
    return any(env.get(flag, "").lower() in ("1", "true", "yes") for flag in NODE_REQUIRED_BY)


def check_npm_packages(env: dict[str, str]) -> bool:
    """Build and test packages/ with npm; False when that fails, or cannot run but must.

    ``npm ci`` runs only when packages/package-lock.json changed since the last install.
    """
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        say(
            "WARNING: node/npm not found, so the npm packages in packages/ are NOT built or "
            "tested. Install Node.js 20.19+ with npm to test them."
        )
        return not node_required(env)
    lock = PACKAGES / "package-lock.json"
    stamp = PACKAGES / "node_modules" / ".installed-lock"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if not (stamp.exists() and stamp.read_text() == digest):
        say("Installing the npm packages' dependencies from packages/package-lock.json…")
        if run(npm, "ci", "--no-audit", "--no-fund", env=env, check=False, cwd=PACKAGES):
            return False
        stamp.write_text(digest)
    say("Building and testing the npm packages…")
    return not run(npm, "test", env=env, check=False, cwd=PACKAGES)


def serve() -> None:
    ensure_venv("base.txt")
    manage: list[str | Path] = [PY, "manage.py"]
    say("Bringing the database up to date…")
    run(*manage, "migrate", "--no-input")
    run(*manage, "seed_demo")
    # gunicorn on SERVE_ADDR (127.0.0.1:8000 when unset) with the outbox ticker beside it.
    os.execv(str(PY), [str(PY), "manage.py", "serve"])  # noqa: S606


def test(extra: list[str]) -> None:
    ensure_venv("dev.txt")
    chromium = ensure_chromium()
    env = dict(os.environ)
    if chromium:
        env["CHROMIUM_PATH"] = chromium
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy")  # what it checks, and how strictly: [tool.mypy] in pyproject.toml
    # Both pytest passes always run, so a red PostgreSQL pass still shows how SQLite fares.
    # The whole suite builds its test database afresh: rows an interrupted earlier run left
    # behind (a reused database keeps them) must never decide a result.
    fresh = [] if extra else ["--create-db"]
    failed = []
    # A run narrowed to some tests (extra arguments) is about Python only.
    if not extra and not check_npm_packages(env):
        failed.append("the npm packages")
    if run(BIN / "pytest", *SLOWEST, *fresh, *extra, env=env, check=False):
        failed.append("the test suite")
    if env.get("DATABASE_URL", "").startswith("postgres") and not extra:
        # The race tests again on the embedded default, where IMMEDIATE transactions (not an
        # exclusion constraint) keep one host from being booked twice.
        sqlite_env = {k: v for k, v in env.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        race = ["-m", "concurrency", "--create-db"]
        if run(BIN / "pytest", *SLOWEST, *race, env=sqlite_env, check=False):
            failed.append("the race tests on SQLite")
    if failed:
        sys.exit("Failed: " + " and ".join(failed) + ".")


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("serve", "test"):
        sys.exit(__doc__)
    if sys.argv[1] == "serve":
        serve()
    else:
        test(sys.argv[2:])


if __name__ == "__main__":
    main()
