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
        [
            "swagger-ui-bundle.js",
            "swagger-ui-bundle.js.LICENSE.txt",
            "swagger-ui.css",
            "LICENSE",
            "NOTICE",
        ],
    ),
    "redoc": (
        ROOT / "graphsvc/web/static/vendor",
        ["bundles/redoc.standalone.js", "bundles/redoc.standalone.js.LICENSE.txt", "LICENSE"],
    ),
    "axe-core": (ROOT / "tests/web/vendor", ["axe.min.js", "LICENSE", "LICENSE-3RD-PARTY.txt"]),
}

# The one change made to a vendored file: ReDoc's footer loads its maker's logo from a
# CDN (no option turns it off); an empty inline SVG takes its place, so no request
# leaves and the page's CSP has nothing to refuse.
PATCHES: dict[tuple[str, str], tuple[str, str]] = {
    ("redoc", "redoc.standalone.js"): (
        "https://cdn.redoc.ly/redoc/logo-mini.svg",
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E",
    ),
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
        patched = []
        for name in files:
            target = folder / Path(name).name
            shutil.copyfile(MODULES / package / name, target)
            patch = PATCHES.get((package, target.name))
            if patch is not None:
                text = target.read_text(encoding="utf-8")
                if patch[0] not in text:
                    raise SystemExit(f"{package}/{name}: the text to patch is gone")
                target.write_text(text.replace(patch[0], patch[1]), encoding="utf-8")
                patched.append({"file": target.name, "replaced": patch[0], "by": patch[1]})
        manifests.setdefault(root, []).append(
            {
                "package": package,
                "version": meta["version"],
                "license": meta.get("license"),
                "folder": folder.name,
                "files": [Path(name).name for name in files],
                "source": f"npm {package}@{meta['version']}",
                **({"patched": patched} if patched else {}),
            }
        )
    for root, entries in manifests.items():
        (root / "VERSIONS.json").write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
