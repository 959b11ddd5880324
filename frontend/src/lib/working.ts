/**
 * The working description on the client: the artist's instrument for drawing, kept apart
 * from the witness's words (see docs/working-description.md). Pure functions only: the
 * refine panel keeps the artist's edits as a base plus the suggestions accepted on top,
 * the same way the server builds the next round (`apply(working, accepted)`).
 */
import type { components } from "../api/schema";
import type { Attributes } from "../api";
import { fieldLabel, getAttribute, setAttribute, type AttributePath } from "./attributes";

type Schemas = components["schemas"];
export type Working = Schemas["Working"];
export type Clause = Schemas["Clause"];
export type ClauseKind = NonNullable<Clause["kind"]>;
export type Suggestion = Schemas["Suggestion"];
export type SuggestionsResult = Schemas["SuggestionsOut"];

export interface KindInfo {
  kind: ClauseKind;
  label: string;
  /** What the kind does to the drawing, for the legend. */
  effect: string;
}

/** The four kinds, in the order of the legend. Each has a text label: colour is never the only cue. */
const DRAW: KindInfo = { kind: "draw", label: "Draw", effect: "drawn" };
export const KINDS: KindInfo[] = [
  DRAW,
  { kind: "absent", label: "Absent", effect: "kept out" },
  { kind: "unknown", label: "Not seen", effect: "never drawn" },
  { kind: "uncertain", label: "Unsure", effect: "drawn only if ticked" },
];

export function kindInfo(kind: ClauseKind | undefined): KindInfo {
  return KINDS.find((k) => k.kind === (kind ?? "draw")) ?? DRAW;
}

/** Whether a clause reaches the positive prompt. */
export function isDrawn(c: Clause): boolean {
  const kind = c.kind ?? "draw";
  return kind === "draw" || (kind === "uncertain" && !!c.promoted);
}

/** Two clauses with the same words are one clause (the server's `Clause.key`). */
export function clauseKey(text: string): string {
  return text.toLowerCase().split(/\s+/).filter(Boolean).join(" ");
}

export const EMPTY_WORKING: Working = { attributes: {}, clauses: [] };

function clausesOf(w: Working): Clause[] {
  return w.clauses ?? [];
}

/** Adds a clause unless one with the same words is there (then that one is replaced). */
export function withClause(w: Working, clause: Clause): Working {
  const key = clauseKey(clause.text);
  return { ...w, clauses: [...clausesOf(w).filter((c) => clauseKey(c.text) !== key), clause] };
}

function mapClause(w: Working, key: string, change: (c: Clause) => Clause): Working {
  return { ...w, clauses: clausesOf(w).map((c) => (clauseKey(c.text) === key ? change(c) : c)) };
}

/** A new kind; a promotion belongs to an uncertain clause only. */
export function setKind(w: Working, key: string, kind: ClauseKind): Working {
  return mapClause(w, key, (c) => ({ ...c, kind, promoted: kind === "uncertain" ? !!c.promoted : false }));
}

/** "Draw it": the artist promotes an uncertain clause (recorded in the round's diff). */
export function setPromoted(w: Working, key: string, promoted: boolean): Working {
  return mapClause(w, key, (c) => ((c.kind ?? "draw") === "uncertain" ? { ...c, promoted } : c));
}

export function strike(w: Working, key: string): Working {
  return { ...w, clauses: clausesOf(w).filter((c) => clauseKey(c.text) !== key) };
}

/** A clause the artist adds (blank text: nothing changes). */
export function addClause(w: Working, text: string, kind: ClauseKind, round?: number): Working {
  const words = text.trim();
  if (!words) return w;
  return withClause(w, { text: words, kind, source: "artist", round: round ?? null, promoted: false });
}

// The feature words of common/clauses.py, for "keep" (the witness says a feature is right).
const FEATURE_WORDS: Record<string, string> = {
  nose: "nose", nostrils: "nose", eyes: "eyes", eye: "eyes", eyebrows: "eyebrows", eyebrow: "eyebrows",
  brows: "eyebrows", brow: "eyebrows", mouth: "mouth", lips: "mouth", lip: "mouth", teeth: "mouth", jaw: "jaw",
  jawline: "jaw", chin: "jaw", face: "face_shape", cheeks: "face_shape", cheekbones: "face_shape",
  forehead: "face_shape", hair: "hair", hairline: "hair", fringe: "hair", head: "hair", skin: "skin_tone",
  complexion: "skin_tone", build: "build", body: "build", beard: "facial_hair", moustache: "facial_hair",
  stubble: "facial_hair", goatee: "facial_hair", sideburns: "facial_hair", glasses: "glasses",
  spectacles: "glasses", sunglasses: "glasses", hat: "headwear", cap: "headwear", hood: "headwear",
  beanie: "headwear", scar: "marks", scars: "marks", tattoo: "marks", tattoos: "marks", mole: "marks",
};

function speaksAbout(text: string, field: string): boolean {
  const feature = field.startsWith("hair.") ? "hair" : field;
  return text.toLowerCase().split(/[^a-z]+/).some((w) => FEATURE_WORDS[w] === feature);
}

/** The working description with accepted edits made, as the server makes them (picks change nothing). */
export function applyEdits(w: Working, edits: Suggestion[], round?: number): Working {
  let out = w;
  for (const e of edits) {
    if (e.kind === "set" && e.field && e.value) {
      out = { ...out, attributes: setAttribute(out.attributes ?? {}, e.field as AttributePath, e.value) };
    } else if (e.kind === "keep" && e.field) {
      const field = e.field;
      out = { ...out, clauses: clausesOf(out).filter((c) => c.source === "description" || !speaksAbout(c.text, field)) };
    } else if (e.kind === "add" && e.clause) {
      out = withClause(out, e.clause.round || round === undefined ? e.clause : { ...e.clause, round });
    }
  }
  return out;
}

/** The clause an accepted "add" suggestion puts in, by key. */
export function addedBy(edits: Suggestion[], key: string): Suggestion | undefined {
  return edits.find((e) => e.kind === "add" && e.clause && clauseKey(e.clause.text) === key);
}

export interface WorkingDiff {
  attributes: Record<string, { from: string | null; to: string | null }>;
  added: { text: string; kind: ClauseKind; source?: string }[];
  removed: { text: string; kind: ClauseKind; source?: string }[];
  changed: { text: string; from: ClauseKind; to: ClauseKind; promoted: boolean }[];
}

function flat(a: Attributes | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a ?? {})) {
    if (k === "hair" && v && typeof v === "object") {
      for (const [hk, hv] of Object.entries(v as Record<string, unknown>)) if (typeof hv === "string" && hv) out[`hair.${hk}`] = hv;
    } else if (typeof v === "string" && v) out[k] = v;
  }
  return out;
}

/** What changed from `before` to `after`, in the server's `working_diff` shape. */
export function diffWorking(before: Working, after: Working): WorkingDiff {
  const old = flat(before.attributes), now = flat(after.attributes);
  const attributes: WorkingDiff["attributes"] = {};
  for (const k of [...new Set([...Object.keys(old), ...Object.keys(now)])].sort()) {
    if (old[k] !== now[k]) attributes[k] = { from: old[k] ?? null, to: now[k] ?? null };
  }
  const was = new Map(clausesOf(before).map((c) => [clauseKey(c.text), c]));
  const is = new Map(clausesOf(after).map((c) => [clauseKey(c.text), c]));
  const brief = (c: Clause) => ({ text: c.text, kind: c.kind ?? "draw", source: c.source });
  const changed: WorkingDiff["changed"] = [];
  for (const [k, c] of is) {
    const p = was.get(k);
    if (p && ((p.kind ?? "draw") !== (c.kind ?? "draw") || !!p.promoted !== !!c.promoted)) {
      changed.push({ text: c.text, from: p.kind ?? "draw", to: c.kind ?? "draw", promoted: !!c.promoted });
    }
  }
  return {
    attributes,
    added: [...is].filter(([k]) => !was.has(k)).map(([, c]) => brief(c)),
    removed: [...was].filter(([k]) => !is.has(k)).map(([, c]) => brief(c)),
    changed,
  };
}

export function isEmptyDiff(d: WorkingDiff): boolean {
  return !Object.keys(d.attributes).length && !d.added.length && !d.removed.length && !d.changed.length;
}

/** A round's stored `working_diff` (typed loosely by the API), or null. */
export function parseDiff(raw: unknown): WorkingDiff | null {
  if (!raw || typeof raw !== "object") return null;
  const r = raw as Partial<WorkingDiff>;
  return { attributes: r.attributes ?? {}, added: r.added ?? [], removed: r.removed ?? [], changed: r.changed ?? [] };
}

export interface DiffLine {
  op: "set" | "add" | "remove" | "change";
  text: string;
}

function attrLabel(field: string): string {
  return fieldLabel(field);
}

/** The diff as lines a person reads: "Nose: crooked → wide crooked", "+ scar on the chin (Draw)". */
export function describeDiff(d: WorkingDiff): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const [field, { from, to }] of Object.entries(d.attributes)) {
    lines.push({ op: "set", text: `${attrLabel(field)}: ${from ?? "(none)"} → ${to ?? "(none)"}` });
  }
  for (const c of d.added) lines.push({ op: "add", text: `Added “${c.text}” (${kindInfo(c.kind).label})` });
  for (const c of d.removed) lines.push({ op: "remove", text: `Struck “${c.text}”` });
  for (const c of d.changed) {
    const what = c.from === c.to ? (c.promoted ? "promoted: draw it" : "no longer drawn") : `${kindInfo(c.from).label} → ${kindInfo(c.to).label}${c.promoted ? " (promoted: draw it)" : ""}`;
    lines.push({ op: "change", text: `“${c.text}”: ${what}` });
  }
  return lines;
}

/** A suggestion in words for the artist (the server's `text`, else built from its fields). */
/** A suggestion as the artist reads it, from its fields ("Age range: 35-45"); the server's own
 *  `text` (which names fields as stored, "age_range") only for a kind this client does not know. */
export function suggestionText(s: Suggestion): string {
  if (s.kind === "set") return `${attrLabel(s.field ?? "")}: ${s.value ?? ""}`;
  if (s.kind === "keep") return `${attrLabel(s.field ?? "")} is right: drop the pending changes to it`;
  if (s.kind === "add") return `Add “${s.clause?.text ?? ""}” (${kindInfo(s.clause?.kind).label})`;
  if (s.kind === "pick") return `Pick candidate ${s.candidate_index ?? "?"} instead`;
  return s.text ?? "";
}

/** The current value of an attribute field in a working description ("" if none). */
export function attributeOf(w: Working, field: string): string {
  return getAttribute(w.attributes ?? {}, field as AttributePath);
}

/** The accepted suggestions still offered for the current feedback (the rest belonged to older words). */
export function liveAccepted(accepted: Record<string, Suggestion>, offered: Suggestion[] | null): Suggestion[] {
  if (!offered) return Object.values(accepted);
  return offered.flatMap((s) => {
    const chosen = s.id ? accepted[s.id] : undefined;
    return chosen ? [chosen] : [];
  });
}

/**
 * The artist's edits before the next round: a base working description (their own edits)
 * and the suggestions accepted on top, sent as `working` + `accepted_suggestions`.
 */
export interface WorkingEdits {
  base: Working;
  /** Accepted suggestions by their id (an added clause may carry the artist's kind). */
  accepted: Record<string, Suggestion>;
  /** Suggestion ids the artist rejected (or undid by editing what they changed). */
  rejected: string[];
}

export function shownWorking(e: WorkingEdits, offered: Suggestion[] | null, round?: number): Working {
  return applyEdits(e.base, liveAccepted(e.accepted, offered), round);
}

function reject(e: WorkingEdits, id: string): WorkingEdits {
  const accepted = { ...e.accepted };
  delete accepted[id];
  return { ...e, accepted, rejected: e.rejected.includes(id) ? e.rejected : [...e.rejected, id] };
}

/** Accept, reject, or undecide one suggestion. */
export function decide(e: WorkingEdits, s: Suggestion, decision: "accept" | "reject" | null): WorkingEdits {
  const id = s.id ?? "";
  const accepted = { ...e.accepted };
  delete accepted[id];
  const rejected = e.rejected.filter((x) => x !== id);
  if (decision === "accept") accepted[id] = s;
  if (decision === "reject") rejected.push(id);
  return { ...e, accepted, rejected };
}

/**
 * A change to one clause on screen. A clause an accepted suggestion adds is changed in that
 * suggestion (the server applies it on top of the base); struck, the suggestion is rejected.
 */
export function editClause(e: WorkingEdits, key: string, change: (c: Clause) => Clause | null): WorkingEdits {
  let out = e;
  for (const [id, s] of Object.entries(e.accepted)) {
    if (s.kind !== "add" || !s.clause || clauseKey(s.clause.text) !== key) continue;
    const next = change(s.clause);
    out = next ? { ...out, accepted: { ...out.accepted, [id]: { ...s, clause: next } } } : reject(out, id);
  }
  const clauses = clausesOf(out.base).flatMap((c) => (clauseKey(c.text) === key ? (change(c) ?? []) : [c]));
  return { ...out, base: { ...out.base, clauses } };
}

/** A changed attribute: the artist's value wins over an accepted suggestion for the same field. */
export function editAttribute(e: WorkingEdits, field: string, value: string): WorkingEdits {
  let out = e;
  for (const [id, s] of Object.entries(e.accepted)) if (s.kind === "set" && s.field === field) out = reject(out, id);
  return { ...out, base: { ...out.base, attributes: setAttribute(out.base.attributes ?? {}, field as AttributePath, value) } };
}

/** The attribute fields that differ between two attribute objects. */
export function changedFields(before: Attributes | undefined, after: Attributes | undefined): string[] {
  const a = flat(before), b = flat(after);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
}

/** Puts a struck clause back as it was. */
export function restoreClause(e: WorkingEdits, clause: Clause): WorkingEdits {
  return { ...e, base: withClause(e.base, clause) };
}
