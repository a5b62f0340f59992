"""Sphinx helpers for the landuse API reference: pages that follow the code.

- :func:`write_api_stubs` writes, for every public face listed in :data:`FACES`, an include file
  ``api/generated/<module>.inc`` holding an ``autosummary`` table of the face's ``__all__`` and
  one stub page per name (``api/generated/<module>.<name>.rst``). Nothing lists functions by
  hand: a name added to or removed from ``__all__`` appears on or leaves the site at the next
  build. The folder is generated (gitignored) and stale stubs are removed.
- :func:`copy_notebooks` copies ``notebooks/*.ipynb`` (committed without outputs) into
  ``docs/notebooks/`` for myst-nb, which executes them during the build.
- The ``policy-profile`` directive renders a policy profile as tables (value, unit, source,
  confidence, defined in) straight from ``landuse.load_policy(name)``; table-valued parameters
  get a table of their own. The ``confidence-tags`` directive lists the tags the schema knows.
- The ``command-help`` directive shows ``landuse --help`` (or a subcommand's), captured by
  running the command at build time.
"""

from __future__ import annotations

import importlib
import inspect
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
GENERATED = DOCS / "api" / "generated"

#: every public face that has a page, in page order (the ground modules share one page)
FACES = (
    "landuse.io",
    "landuse.crs",
    "landuse.policy",
    "landuse.efficiency",
    "landuse.bank",
    "landuse.compliance",
    "landuse.supply",
    "landuse.enterprise",
    "landuse.assessment",
    "landuse.raster",
    "landuse.report",
    "landuse.mapping",
    "landuse.scale",
    "landuse.zones",
    "landuse.units",
    "landuse.schema",
    "landuse.errors",
    "landuse.datasets",
)


# --------------------------------------------------------------------------------------------
# API stubs from __all__
# --------------------------------------------------------------------------------------------


def _kind(obj: object) -> str:
    """Return the autodoc directive that documents ``obj``."""
    if inspect.isclass(obj):
        return "autoexception" if issubclass(obj, BaseException) else "autoclass"
    if callable(obj):
        return "autofunction"
    return "autodata"


def _stub(module: str, name: str, obj: object) -> str:
    kind = _kind(obj)
    title = f"{module}.{name}"
    lines = [title, "=" * len(title), "", f".. currentmodule:: {module}", "", f".. {kind}:: {name}"]
    if kind == "autoclass":
        lines += ["   :members:"]
    elif kind == "autoexception":
        lines += ["   :show-inheritance:"]
    elif kind == "autodata":
        lines += ["   :no-value:", "", f"   Value: ``{_short_repr(obj)}``"]
    return "\n".join(lines) + "\n"


def _short_repr(obj: object, limit: int = 120) -> str:
    text = repr(obj).replace("`", "'").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(module: str, names: list[str]) -> str:
    lines = [f".. currentmodule:: {module}", "", ".. autosummary::", "   :toctree: generated", ""]
    lines += [f"   {name}" for name in names]
    return "\n".join(lines) + "\n"


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def write_api_stubs(app: object = None, config: object = None) -> None:
    """Write the autosummary include and one stub per public name of every face."""
    GENERATED.mkdir(parents=True, exist_ok=True)
    keep: set[str] = set()
    for module in FACES:
        mod = importlib.import_module(module)
        names = list(mod.__all__)
        table = GENERATED / f"{module}.inc"
        _write_if_changed(table, _table(module, names))
        keep.add(table.name)
        for name in names:
            stub = GENERATED / f"{module}.{name}.rst"
            _write_if_changed(stub, _stub(module, name, getattr(mod, name)))
            keep.add(stub.name)
    for path in GENERATED.iterdir():
        if path.name not in keep:
            path.unlink()


def copy_notebooks(app: object = None, config: object = None) -> None:
    """Copy the committed notebooks next to the docs so that myst-nb reads and runs them."""
    target = DOCS / "notebooks"
    target.mkdir(exist_ok=True)
    sources = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for src in sources:
        dst = target / src.name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)
    wanted = {src.name for src in sources}
    for path in target.glob("*.ipynb"):
        if path.name not in wanted:
            path.unlink()


# --------------------------------------------------------------------------------------------
# docutils tables
# --------------------------------------------------------------------------------------------


def _cell(value: object, *, literal: bool = False) -> nodes.entry:
    entry = nodes.entry()
    if value is None or value == "":
        entry += nodes.paragraph(text="")
    elif literal:
        entry += nodes.paragraph("", "", nodes.literal(text=str(value)))
    else:
        entry += nodes.paragraph(text=str(value))
    return entry


def build_table(
    header: list[str], rows: list[list[object]], *, literal_cols: tuple[int, ...] = (), classes=()
) -> nodes.table:
    """Return a docutils table; cell text is text (no markup is parsed from the data)."""
    table = nodes.table(classes=list(classes))
    group = nodes.tgroup(cols=len(header))
    table += group
    for _ in header:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for name in header:
        row += _cell(name)
    head += row
    body = nodes.tbody()
    group += body
    for values in rows:
        row = nodes.row()
        for i, value in enumerate(values):
            row += _cell(value, literal=i in literal_cols)
        body += row
    return table


def _format_value(value: object) -> str:
    if value is None:
        return "— (not shipped: supply it)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple) and all(not hasattr(v, "__dataclass_fields__") for v in value):
        return ", ".join(_format_value(v) for v in value)
    return str(value)


def _is_table(value: object) -> bool:
    return isinstance(value, Mapping) or (
        isinstance(value, tuple) and bool(value) and hasattr(value[0], "__dataclass_fields__")
    )


class PolicyProfile(SphinxDirective):
    """``.. policy-profile:: NAME`` — every parameter of a built-in profile, from its TOML.

    With ``:own:`` only the parameters the profile itself sets (not those it inherits). An
    example profile (``example = true``) is headed by its example-values notice.
    """

    required_arguments = 1
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {"own": directives.flag}

    def run(self) -> list[nodes.Node]:
        """Return the main table and one table per table-valued parameter."""
        import landuse

        name = self.arguments[0]
        policy = landuse.load_policy(name)
        frame = policy.to_frame()
        if "own" in self.options:
            frame = frame[frame["profile"] == name]
        for path in (ROOT / "landuse" / "policy" / "profiles").glob("*.toml"):
            self.env.note_dependency(str(path))
        out: list[nodes.Node] = []
        if policy.example_notice:
            notice = nodes.warning()
            notice += nodes.paragraph(text=policy.example_notice)
            out.append(notice)
        rows, tables = [], []
        for rec in frame.itertuples(index=False):
            if _is_table(rec.value):
                shown = f"table, {len(rec.value)} rows (below)"
                tables.append(rec)
            else:
                shown = _format_value(rec.value)
            rows.append(
                [rec.key, shown, rec.unit, rec.source, rec.confidence, rec.note, rec.profile]
            )
        header = ["parameter", "value", "unit", "source", "confidence", "note", "defined in"]
        out.append(
            build_table(header, rows, literal_cols=(0,), classes=("policy-table", f"policy-{name}"))
        )
        for rec in tables:
            section = nodes.section(ids=[f"{name}-{rec.key}".replace(".", "-").replace("_", "-")])
            section += nodes.title(text=f"{rec.key} ({name})")
            section += nodes.paragraph(
                text=f"{rec.unit} — confidence {rec.confidence}; source: {rec.source}"
            )
            sub = policy.table(rec.key)
            sub_rows = [[_format_value(v) for v in r] for r in sub.itertuples(index=False)]
            section += build_table(list(sub.columns), sub_rows, classes=("policy-subtable",))
            out.append(section)
        return out


class ConfidenceTags(SphinxDirective):
    """``.. confidence-tags::`` — the tags the policy schema accepts, with their meaning."""

    has_content = False

    MEANING: ClassVar[dict[str, str]] = {
        "V": "verified: the number or rule appears explicitly in the cited source "
        "(often a repost of the official text)",
        "S": "secondary: from a secondary source only (blog, Q&A site, news summary), or from "
        "two or more sources that agree, none of them authoritative",
        "I": "inferred from related evidence; the reasoning is stated in the note",
        "U": "uncertain or unverified: given for orientation only; check it before relying on it",
        "from-plan": "named by the plan (青政字〔2019〕9号), confirmed by no source found; "
        "configurable",
        "user": "to be supplied by the user (no value shipped), or set by the user with "
        "policy.replace()",
    }

    def run(self) -> list[nodes.Node]:
        """Return the table of tags."""
        from landuse.policy import CONFIDENCE_TAGS

        rows = [[tag, self.MEANING.get(tag, "")] for tag in CONFIDENCE_TAGS]
        return [build_table(["tag", "meaning"], rows, literal_cols=(0,))]


class CommandHelp(SphinxDirective):
    """``.. command-help:: [SUBCOMMAND]`` — ``landuse [SUBCOMMAND] --help``, run at build time."""

    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Return the captured help as a literal block."""
        args = [*self.arguments[:1], "--help"]
        code = "from landuse.cli import main; main(prog_name='landuse')"
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            env={**os.environ, "COLUMNS": "100"},
        )
        if done.returncode != 0:
            msg = f"landuse {' '.join(args)} failed: {done.stderr.strip()}"
            raise self.error(msg)
        text = f"$ landuse {' '.join(args)}\n{done.stdout}"
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


def setup(app: object) -> dict[str, object]:
    """Register the directives and the generators."""
    app.connect("config-inited", write_api_stubs)
    app.connect("config-inited", copy_notebooks)
    app.add_directive("policy-profile", PolicyProfile)
    app.add_directive("confidence-tags", ConfidenceTags)
    app.add_directive("command-help", CommandHelp)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
