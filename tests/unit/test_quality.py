"""The code base stays lint-clean, type-clean and documented: ruff, mypy and module docstrings."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; install the dev extra: pip install -e '.[dev]'")
    return found


def test_ruff_is_clean() -> None:
    """ruff finds nothing in the package, tests, benchmarks and migrations' environment."""
    result = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", "mailer", "tests", "benchmarks", "alembic"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    """mypy --strict (configured in pyproject.toml) finds nothing in the package."""
    result = subprocess.run([_tool("mypy")], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_module_says_its_job_in_one_line() -> None:
    """Each module of the package starts with a one-line docstring."""
    missing = []
    for path in sorted((REPO / "mailer").rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if not doc or not doc.splitlines()[0].strip():
            missing.append(str(path.relative_to(REPO)))
    assert missing == []


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_modules(root: Path) -> set[str]:
    found: set[str] = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"mailer", "__future__"}


def test_every_package_the_code_imports_is_a_runtime_dependency() -> None:
    """A user's `pip install .` (without the dev extra) has everything `mailer` imports: each
    third-party module imported under mailer/ belongs to a distribution listed in
    [project.dependencies] itself, not only in the dev extra or as someone else's dependency."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        _canonical(re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0]) for req in project["dependencies"]
    }
    providers = importlib.metadata.packages_distributions()
    missing = {
        module: providers.get(module, ["?"])
        for module in _imported_modules(REPO / "mailer")
        if not any(_canonical(dist) in declared for dist in providers.get(module, []))
    }
    assert missing == {}
