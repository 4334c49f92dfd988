"""The wheel ships one import name, ``graphsvc``, with its queries, templates and assets.

``queries/`` and ``visual/`` sit at the top of the repository but install as
``graphsvc.queries`` and ``graphsvc.visual`` (through the links ``graphsvc/queries`` and
``graphsvc/visual``); test-only helpers and test-only dependencies stay out of the
wheel. The wheel is built the way a user builds it (``pip wheel --no-deps``) and
unpacked; the editable install of ``make install`` must resolve the same names.
"""

from __future__ import annotations

import email.parser
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.xdist_group("wheel")


# What the Dockerfile copies to build the image: enough to build the wheel.
SOURCES = ("pyproject.toml", "README.md", "graphsvc", "queries", "visual")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    # Build from a copy (links kept as links): setuptools writes build/ next to the source.
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name,
                source / name,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
        else:
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "--wheel-dir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    [built] = out.glob("graphsvc-*.whl")
    return zipfile.ZipFile(built)


def _names(wheel: zipfile.ZipFile) -> set[str]:
    return set(wheel.namelist())


def _metadata(wheel: zipfile.ZipFile) -> email.message.Message:
    [name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return email.parser.Parser().parsestr(wheel.read(name).decode("utf-8"))


def test_the_wheel_installs_one_top_level_name(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/", 1)[0] for name in _names(wheel)}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"graphsvc"}
    [top_level] = [n for n in _names(wheel) if n.endswith(".dist-info/top_level.txt")]
    assert wheel.read(top_level).decode().split() == ["graphsvc"]


def _package_files() -> set[str]:
    """Every file under graphsvc/ (the links to queries/ and visual/ followed), as the
    wheel should name it: modules, queries, templates, static assets, py.typed."""
    found = set()
    for folder, dirs, files in os.walk(REPO / "graphsvc", followlinks=True):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            found.add((Path(folder) / name).relative_to(REPO).as_posix())
    return found


def test_every_module_query_template_and_asset_is_inside(wheel: zipfile.ZipFile) -> None:
    expected = _package_files()
    assert {
        "graphsvc/queries/deal_history.cypher",
        "graphsvc/visual/templates/deal_map.html.j2",
        "graphsvc/visual/static/deal_map.js",
        "graphsvc/alerts/templates/owner.html.j2",
        "graphsvc/py.typed",
    } <= expected
    assert sorted(expected - _names(wheel)) == []


def test_test_helpers_and_test_dependencies_stay_out(wheel: zipfile.ZipFile) -> None:
    names = _names(wheel)
    assert not [n for n in names if n.endswith(("sample.py", "screenshot.py"))]
    assert not [n for n in names if n.startswith("tests/")]
    runtime = [r for r in _metadata(wheel).get_all("Requires-Dist") or [] if "extra ==" not in r]
    assert not [r for r in runtime if r.lower().startswith("httpx")]
    assert runtime  # the runtime dependencies are still declared


def test_the_unpacked_wheel_imports_its_queries(wheel: zipfile.ZipFile, tmp_path: Path) -> None:
    wheel.extractall(tmp_path / "site")
    probe = (
        "import importlib.util, sys\n"
        f"sys.path.insert(0, {str(tmp_path / 'site')!r})\n"
        "from importlib.resources import files\n"
        "from graphsvc import queries\n"
        "assert queries.__file__.startswith(sys.path[0]), queries.__file__\n"
        "assert 'MATCH' in queries.load('deal_get').upper()\n"
        "assert (files('graphsvc.visual') / 'static' / 'deal_map.js').is_file()\n"
        "assert importlib.util.find_spec('queries') is None\n"
        "assert importlib.util.find_spec('visual') is None\n"
        "print(len(queries.names()) + len(queries.variants()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    # Every query file ships: the shared ones and the backends' own versions.
    assert int(done.stdout) == len(list((REPO / "queries").glob("*.cypher")))


def test_the_editable_install_resolves_the_same_names(tmp_path: Path) -> None:
    """``make install`` (``pip install -e``): from any directory, ``graphsvc.queries`` and
    ``graphsvc.visual`` are the repository's folders, and no generic name leaks."""
    probe = (
        "import importlib.util\n"
        "from pathlib import Path\n"
        "import graphsvc.queries, graphsvc.visual.render as render\n"
        "print(Path(graphsvc.queries.__file__).resolve().parent)\n"
        "print(Path(render.__file__).resolve().parent)\n"
        "print(importlib.util.find_spec('queries'), importlib.util.find_spec('visual'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(REPO / "queries"), str(REPO / "visual"), "None None"]


STALE_IMPORT = re.compile(r"^\s*(>>> )?(from|import) (visual|queries)\b", re.MULTILINE)


def test_nothing_imports_the_old_top_level_names() -> None:
    """``visual`` and ``queries`` resolve from the repository root in a checkout, so a
    stale ``from visual.render import ...`` would pass the tests and fail installed."""
    stale = []
    for folder in ("graphsvc", "tests", "benchmarks", "visual", "queries"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text("utf-8")
            stale += [
                f"{path.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}"
                for m in STALE_IMPORT.finditer(text)
            ]
    assert stale == []
