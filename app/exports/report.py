"""report.html: the interview for a reader without tools. One self-contained page that
shows the packaged image files themselves (relative paths), so what the reader sees is
what the manifest hashes."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from app.exports.readable import attribute_label, attribute_value, visible

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#111;padding:0 1em}
h1,h2,h3{margin:1.2em 0 .4em}table{border-collapse:collapse;margin:.4em 0}
td,th{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}
blockquote{white-space:pre-wrap;border-left:4px solid #888;margin:.5em 0;padding:.3em 1em;background:#f5f5f5}
.grid{display:flex;flex-wrap:wrap;gap:1em}.cand{border:2px solid #ccc;padding:.5em;width:210px;margin:0}
.cand img{width:200px;height:auto;image-rendering:pixelated}.picked{border-color:#1565c0}
.approved{border-color:#2e7d32;border-width:4px}.mono{font-family:ui-monospace,monospace;word-break:break-all}
.small{font-size:12px;color:#444}del{background:#fdd}ins{background:#dfd}
.notice{border:3px solid #111;padding:.6em 1em;font-weight:bold}
.warn{background:#fff3cd;border:2px solid #b58900;padding:.5em}
@media print{.cand{break-inside:avoid}}
"""


def _e(value: object) -> str:
    # Bidi overrides, zero-width and control characters show as ⟨U+XXXX⟩: the reader sees what is stored.
    return escape(visible("" if value is None else str(value)))


def _rows(pairs: Sequence[tuple[str, object]]) -> str:
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs) + "</table>"


def render_report(interview: dict[str, Any], *, exported_at: str, exporter: str, chain_head: dict[str, Any],
                  key_fingerprint: str) -> str:
    case = interview["case"]
    witnesses = {w["id"]: w for w in interview["witnesses"]}
    parts = [
        f"<!doctype html><html lang=en><meta charset=utf-8><title>Disclosure report: {_e(case['reference'])}</title>",
        f"<style>{_STYLE}</style><body>",
        f"<h1>Composite sketch interview: case {_e(case['reference'])}</h1>",
        _use_html(interview.get("export") or {}),
        _rows([("Title", case["title"]), ("Offence", case["offence"]), ("Occurred on", case["occurred_on"]),
               ("Location", case["location"]), ("Officer in case", case["owner"]), ("Case status", case["status"]),
               ("Notes", case["notes"])]),
        "<h2>About this package</h2>",
        _rows([("Exported", exported_at), ("Exported by", exporter),
               ("Audit chain head at export", f"event {chain_head['id']}, {chain_head['hash']}"),
               ("Signing key fingerprint (SHA-256)", key_fingerprint)]),
        "<p class=small>manifest.json lists the SHA-256 of every file in this package and is signed "
        "(manifest.sig, Ed25519). Check it with <code>likeness export verify FILE</code>. Images below are "
        "the packaged files; each carries its generation recipe in a PNG text chunk.</p>",
        _noise_warning(interview),
        "<h2>Witnesses and their descriptions</h2>",
        *(_witness_html(w) for w in interview["witnesses"]),
        "<h2>Sketch sessions</h2>",
    ]
    if not interview["sessions"]:
        parts.append("<p>No sketch session was held.</p>")
    parts.extend(_session_html(s, witnesses) for s in interview["sessions"])
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _noise_warning(interview: dict[str, Any]) -> str:
    # Images from the tiny random-weight model are noise: nobody may mistake them for a sketch.
    noisy = any(c["random_weights"] for s in interview["sessions"] for r in s["rounds"] for c in r["candidates"])
    return ("<p class=warn><b>Warning:</b> some images in this package were drawn by a random-weight test model "
            "(no Stable Diffusion weights were installed). They are noise, not sketches.</p>") if noisy else ""


def _use_html(use: dict[str, Any]) -> str:
    if not use:
        return ""
    purpose = _PURPOSES.get(use.get("purpose", ""), use.get("purpose"))
    parts = [f"<div class=notice><p>{_e(use.get('notice'))}</p><p>{_e(use.get('face_recognition'))}</p></div>",
             _rows([("Purpose of this package", purpose)])]
    enabled = use.get("face_recognition_enabled")
    if enabled:
        parts.append(_rows([("Face-recognition use enabled by an admin", enabled.get("at")),
                            ("Reason recorded", enabled.get("reason"))]))
    if use.get("labelled"):
        parts.append("<p class=small>Each composite is also packaged under <code>labelled/</code> with the notice "
                     "printed under it and in its <code>likeness:notice</code> text chunk; the files under "
                     "<code>images/</code> are the stored evidence, unchanged.</p>")
    return "\n".join(parts)


_PURPOSES = {"disclosure": "Disclosure", "public-appeal": "Public appeal", "internal-review": "Internal review",
             "face-recognition": "Face-recognition search (enabled by an admin for this case)"}


def _witness_html(witness: dict[str, Any]) -> str:
    out = [f"<h3>Witness: {_e(witness['name'])}</h3>", f"<p class=small>id {_e(witness['id'])}; contact details "
           "withheld from this package</p>"]
    for d in witness["descriptions"]:
        label = "first description" if d["version"] == 1 else f"version {d['version']}, supersedes {d['supersedes_id']}"
        out.append(f"<h4>Description {d['version']} ({_e(label)}), recorded {_e(d['created_at'])} "
                   f"by {_e(d['recorded_by'])}</h4>")
        out.append(f"<p>Verbatim:</p><blockquote>{_e(d['text'])}</blockquote>")
        if d.get("diff"):
            out.append("<p>Changes from the version it supersedes (removed struck through, added underlined):</p>"
                       f"<blockquote>{_diff_html(d['diff'])}</blockquote>")
        out.append(_attributes(d["attributes"]))
    if not witness["descriptions"]:
        out.append("<p>No description recorded.</p>")
    return "\n".join(out)


def _diff_html(ops: list[dict[str, str]]) -> str:
    tags = {"delete": "del", "insert": "ins"}
    return "".join(f"<{tags[o['op']]}>{_e(o['text'])}</{tags[o['op']]}>" if o["op"] in tags else _e(o["text"])
                   for o in ops)


def _attributes(attributes: dict[str, Any]) -> str:
    if not attributes:
        return "<p>No structured attributes.</p>"
    flat = [(attribute_label(k), attribute_value(v)) for k, v in sorted(attributes.items())]
    return "<p>Structured attributes:</p>" + _rows(flat)


def _session_html(session: dict[str, Any], witnesses: dict[str, dict[str, Any]]) -> str:
    witness = witnesses.get(session["witness_id"], {})
    version = next((d["version"] for d in witness.get("descriptions", []) if d["id"] == session["description_id"]),
                   None)
    lineage = session.get("approved_lineage") or []
    out = [f"<h3>Session {session['number']}</h3>",
           _rows([("Witness", witness.get("name")), ("From description version", version),
                  ("Started", session["created_at"]), ("Started by", session["started_by"]),
                  ("Status", session["status"]), ("Approved", session["approved_at"]),
                  ("Rounds that led to the approved composite", " → ".join(f"round {n}" for n in lineage) or "—")])]
    final = next(((r, c) for r in session["rounds"] for c in r["candidates"] if c["approved"]), None)
    if final:
        round_, candidate = final
        out.append(f"<p><b>Approved composite: {_e(candidate['label'])}</b> ({_e(candidate['image'])})</p>"
                   f"<img src=\"{_e(candidate['image'])}\" alt=\"approved composite {_e(candidate['label'])}\" "
                   "width=256>")
        approval = session.get("approval") or {}
        out.append(_rows([("Witness's confidence in the likeness (0-10)", approval.get("confidence"))]))
        out.append(f"<p>Witness's statement about the likeness, verbatim:</p>"
                   f"<blockquote>{_e(approval.get('statement'))}</blockquote>")
        out.append(f"<p>Settings that drew the approved composite (round {round_['index']}):</p>"
                   + _rows(list(round_["settings"].items())))
    out.extend(_round_html(r, lineage) for r in session["rounds"])
    return "\n".join(out)


def _round_html(round_: dict[str, Any], lineage: list[int]) -> str:
    branch = "" if not lineage or round_["index"] in lineage else " (a branch not in the approved lineage)"
    out = [f"<h4>Round {round_['index']}{_e(branch)}: {_e(round_['settings'].get('Model', round_['model']))}, "
           f"{_e(round_['status'])}</h4>"]
    pick = round_["from_pick"]
    if pick:
        out.append(_rows([("Refines", pick.get("candidate_label") or pick["candidate_id"]),
                          ("Likeness rating (0-10)", pick["rating"])]))
        out.append(f"<p>Witness feedback, verbatim:</p><blockquote>{_e(pick['feedback'])}</blockquote>")
    if round_.get("exposure_reason"):
        out.append(f"<p>Drawn past the witness's exposure cap; the artist's reason:</p>"
                   f"<blockquote>{_e(round_['exposure_reason'])}</blockquote>")
    out.append(f"<p>Prompt ({round_['token_count']} tokens):</p><blockquote>{_e(round_['prompt'])}</blockquote>")
    out.append(f"<p class=small>Negative prompt: {_e(round_['negative_prompt'])}</p>")
    out.append("<details><summary>Settings of this round</summary>" + _rows(list(round_["settings"].items()))
               + "</details>")
    if round_["error"]:
        out.append(f"<p>Error: {_e(round_['error'])}</p>")
    out.append("<div class=grid>" + "".join(_candidate_html(c) for c in round_["candidates"]) + "</div>")
    return "\n".join(out)


def _candidate_html(c: dict[str, Any]) -> str:
    classes = "cand" + (" picked" if c["picked_for_rounds"] else "") + (" approved" if c["approved"] else "")
    marks = []
    if c["picked_for_rounds"]:
        marks.append("picked (led to round " + ", ".join(str(n) for n in c["picked_for_rounds"]) + ")")
    if c["approved"]:
        marks.append("APPROVED composite")
    if c.get("photographic"):
        marks.append("flagged: looks photographic")
    if c.get("face_found") is False:
        marks.append("no face found")
    return (f"<figure class=\"{classes}\"><img src=\"{_e(c['image'])}\" alt=\"candidate {_e(c['label'])}\">"
            f"<figcaption>Candidate {_e(c['label'])}, seed {c['seed']}<br>shown to the witness "
            f"{c['shown_count']} time(s)<br><b>{_e('; '.join(marks))}</b>"
            f"<br><span class='small mono'>{_e(c['image_sha256'])}</span></figcaption></figure>")
