"""The report page: HTML, CSS and the figures inline, in one self-contained file."""

from __future__ import annotations

import datetime as _dt
import html

import numpy as np

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1500px;margin:2em auto;
padding:0 1.5em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ccc}
.meta{color:#666}figure{margin:1em 0}img{max-width:100%;border:1px solid #eee}
figcaption{color:#555;font-size:.92em;max-width:70em}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}.note{color:#8a5a00}
"""


def _e(x):
    return html.escape(str(x))


def _table(header, rows, numeric=()):
    out = ["<table>", "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>"]
    for row in rows:
        cells = []
        for k, v in enumerate(row):
            cls = ' class="num"' if k in numeric else ""
            cells.append(f"<td{cls}>{_e(v)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _img(b64, alt, caption):
    return (
        f'<figure><img src="data:image/png;base64,{b64}" alt="{_e(alt)}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _fmt(value, spec=".3f"):
    if value is None:
        return "–"
    if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
        return format(value, spec)
    return str(value)


def _metrics_html(result):
    parts = []
    if result.get("data"):
        parts.append(f"<p>{_e(result['data'])}</p>")
    facts = [
        f"{k}: {result[k]}"
        for k in ("cv", "chance", "brian2_target", "seed", "wall_s", "background_training")
        if k in result
    ]
    if facts:
        parts.append(f"<p class=meta>{_e('; '.join(facts))}</p>")
    if isinstance(result.get("accuracy"), dict):
        rows = []
        for name, acc in result["accuracy"].items():
            acc = acc if isinstance(acc, dict) else {"mean": acc}
            rows.append(
                [
                    name,
                    _fmt(acc.get("mean")),
                    _fmt(acc.get("sd")),
                    _fmt(acc.get("median")),
                    len(acc.get("folds") or []),
                ]
            )
        parts.append(
            _table(
                ["method", "accuracy (mean)", "sd", "median", "folds"], rows, numeric=(1, 2, 3, 4)
            )
        )
    if isinstance(result.get("methods"), dict):
        rows = []
        for name, entry in result["methods"].items():
            bg = entry.get("background") or {}
            found = f"{entry.get('seizures_detected', '–')} of {entry.get('seizures', '–')}"
            rows.append(
                [
                    name,
                    found,
                    _fmt(entry.get("median_latency_s"), ".1f"),
                    _fmt(bg.get("false_alarms_per_hour"), ".2f") if bg else "–",
                ]
            )
        parts.append(
            _table(
                ["method", "seizures detected", "median latency (s)", "false alarms per hour"],
                rows,
                numeric=(2, 3),
            )
        )
    if not any(isinstance(result.get(k), dict) for k in ("accuracy", "methods")):
        rows = [[k, v] for k, v in result.items() if isinstance(v, (int, float, str, bool))]
        parts.append(
            _table(["metric", "value"], rows)
            if rows
            else "<p class=note>The metrics file holds no accuracy or seizure table.</p>"
        )
    return "\n".join(parts)


def _html(title, sections):
    body = "\n".join(
        f'<section id="{_e(sid)}"><h2>{_e(head)}</h2>\n{content}</section>'
        for sid, head, content in sections
    )
    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n"
        f"<h1>{_e(title)}</h1><p class=meta>NeuCube-EEG report, written {now}</p>\n"
        f"{body}\n</body></html>\n"
    )
