"""The gallery's ``index.html``: one row per subject (a chapter's scene or a room), one
column per screen × language × mode, each cell a thumbnail linking to the full picture,
outlined red with the layout check's findings under it when it failed.

Plain text in, plain HTML out (no Qt), so it is tested without a window.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Shot:
    """One picture of the gallery: where it is (relative to the page), its thumbnail,
    and what the layout check found."""

    full: str
    thumb: str
    failures: tuple[str, ...] = ()


STYLE = """
body { font-family: sans-serif; margin: 12px; background: #fafafa; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ddd; padding: 3px; vertical-align: top; font-size: 11px; }
th { background: #eee; position: sticky; top: 0; }
td.name { white-space: nowrap; font-weight: bold; position: sticky; left: 0; background: #f4f4f4; }
img { display: block; border: 2px solid #8c8; }
td.bad img { border-color: #d33; }
td.bad ul { color: #a00; margin: 2px 0 0 14px; padding: 0; max-width: 220px; }
"""


def index_html(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    shots: Mapping[tuple[str, str], Shot],
    thumb_width: int,
) -> str:
    """The page; a (row, column) missing from ``shots`` is an empty cell."""
    bad = sum(1 for s in shots.values() if s.failures)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body: list[str] = []
    for row in rows:
        cells = [f"<td class='name'>{html.escape(row)}</td>"]
        for col in columns:
            shot = shots.get((row, col))
            if shot is None:
                cells.append("<td></td>")
                continue
            found = "".join(f"<li>{html.escape(f)}</li>" for f in shot.failures[:6])
            more = f"<li>… {len(shot.failures) - 6} more</li>" if len(shot.failures) > 6 else ""
            tip = html.escape(" | ".join(shot.failures) or "fits", quote=True)
            cells.append(
                f"<td class='{'bad' if shot.failures else 'ok'}'>"
                f"<a href='{html.escape(shot.full, quote=True)}'>"
                f"<img src='{html.escape(shot.thumb, quote=True)}' width='{thumb_width}' "
                f"title='{tip}' loading='lazy'></a>"
                f"{'<ul>' + found + more + '</ul>' if found else ''}</td>"
            )
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>{len(shots)} pictures, {bad} with findings of the layout check (red). "
        "Click a thumbnail for the full size.</p>"
        f"<table><tr><th></th>{head}</tr>{''.join(body)}</table></body></html>\n"
    )
