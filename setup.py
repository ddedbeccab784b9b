"""The build's one extra step: compile the translations (.po) into the catalogues (.mo) the app loads.

Everything else about the package is in pyproject.toml. `make` compiles them in the source tree for
development; this makes a plain `pip install .` (or a wheel) carry them too.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path("backcast", "locale")


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        # An editable install loads the package from the source tree, so the catalogues go there.
        root = Path() if self.editable_mode else Path(self.build_lib)
        for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/messages.po")):
            mo_path = root / po_path.with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parts[-3])
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)


setup(cmdclass={"build_py": BuildWithCatalogues})
