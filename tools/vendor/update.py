"""Copy the browser assets graphsvc serves itself out of npm packages, with their licences.

Run after changing a version in ``package.json``::

    cd tools/vendor && npm ci --ignore-scripts && python update.py

Writes ``graphsvc/web/static/vendor/<package>-<version>/`` (served at
``/static/vendor/...``) and ``tests/web/vendor/`` (axe-core, used by the browser tests
only), plus a ``VERSIONS.json`` beside each listing package, version, licence and files.
The copies are committed, so installing graphsvc needs no npm and no network.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MODULES = HERE / "node_modules"

# package -> (destination root, files to copy (relative to the package))
ASSETS: dict[str, tuple[Path, list[str]]] = {
    "htmx.org": (ROOT / "graphsvc/web/static/vendor", ["dist/htmx.min.js", "LICENSE"]),
    "swagger-ui-dist": (
        ROOT / "graphsvc/web/static/vendor",
        ["swagger-ui-bundle.js", "swagger-ui-bundle.js.LICENSE.txt", "swagger-ui.css",
         "LICENSE", "NOTICE"],
    ),
    "redoc": (
        ROOT / "graphsvc/web/static/vendor",
        ["bundles/redoc.standalone.js", "bundles/redoc.standalone.js.LICENSE.txt", "LICENSE"],
    ),
    "axe-core": (ROOT / "tests/web/vendor", ["axe.min.js", "LICENSE", "LICENSE-3RD-PARTY.txt"]),
}


def main() -> None:
    manifests: dict[Path, list[dict[str, object]]] = {}
    for package, (root, files) in ASSETS.items():
        meta = json.loads((MODULES / package / "package.json").read_text(encoding="utf-8"))
        folder = root / f"{package}-{meta['version']}"
        for old in root.glob(f"{package}-*"):
            if old != folder:
                shutil.rmtree(old)
        folder.mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copyfile(MODULES / package / name, folder / Path(name).name)
        manifests.setdefault(root, []).append({
            "package": package, "version": meta["version"], "license": meta.get("license"),
            "folder": folder.name, "files": [Path(name).name for name in files],
            "source": f"npm {package}@{meta['version']}",
        })
    for root, entries in manifests.items():
        (root / "VERSIONS.json").write_text(json.dumps(entries, indent=2) + "\n",
                                            encoding="utf-8")


if __name__ == "__main__":
    main()
