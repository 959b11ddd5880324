/**
 * Model `evolve` on the screens (docs/evolve.md): the witness picks up to three
 * faces from an array, rates each, or says "none of these"; the holistic scales
 * move the whole face. Pure logic, shared by the witness screen (room and link)
 * and the artist's refine panel.
 */
import { ApiError, type Round, type RoundCreate, type WitnessPick } from "../api";

export const EVOLVE_MODEL = "evolve";
/** The UI's cap on picks (the server takes up to 6). */
export const MAX_PICKS = 3;
/** Faces on one page of the array: 3×3. */
export const PAGE_SIZE = 9;
export const DEFAULT_ARRAY = 9;
export const MAX_ARRAY = 18;
export const SCALES = ["age", "weight", "masculinity", "distinctiveness"] as const;
export type Scale = (typeof SCALES)[number];
export type Phase = "internal" | "external";

export const SCALE_LABELS: Record<Scale, { label: string; low: string; high: string }> = {
  age: { label: "Age", low: "younger", high: "older" },
  weight: { label: "Weight", low: "thinner", high: "heavier" },
  masculinity: { label: "Masculinity", low: "feminine", high: "masculine" },
  distinctiveness: { label: "Distinctiveness", low: "average", high: "distinctive" },
};

export interface EvolvePick {
  id: string;
  rating: number | null;
}

/** The witness's (or artist's) choice from one array, kept until the server takes it. */
export interface EvolveDraft {
  roundIndex: number | null;
  picks: EvolvePick[];
  rejectAll: boolean;
  /** −1..1 each; sticky on the server, so kept from round to round here too. */
  sliders: Record<Scale, number>;
  /** Sliders are sent only once someone moved one (the server keeps the last ones). */
  slidersTouched: boolean;
  phase: Phase;
  feedback: string;
}

export const NEUTRAL_SLIDERS: Record<Scale, number> = { age: 0, weight: 0, masculinity: 0, distinctiveness: 0 };

export const EMPTY_EVOLVE: EvolveDraft = {
  roundIndex: null,
  picks: [],
  rejectAll: false,
  sliders: NEUTRAL_SLIDERS,
  slidersTouched: false,
  phase: "internal",
  feedback: "",
};

export function isEvolve(model: string | null | undefined): boolean {
  return model === EVOLVE_MODEL;
}

/** A new array: a fresh choice; the scales and the phase stay as they were. */
export function forRound(draft: EvolveDraft, roundIndex: number): EvolveDraft {
  return { ...EMPTY_EVOLVE, sliders: draft.sliders, slidersTouched: draft.slidersTouched, phase: draft.phase, roundIndex };
}

/** Tap a face: picked → unpicked; else picked (and "none of these" off), unless three are picked already. */
export function togglePick(draft: EvolveDraft, id: string, max = MAX_PICKS): EvolveDraft {
  if (draft.picks.some((p) => p.id === id)) return { ...draft, picks: draft.picks.filter((p) => p.id !== id) };
  if (draft.picks.length >= max) return draft;
  return { ...draft, rejectAll: false, picks: [...draft.picks, { id, rating: null }] };
}

export function setPickRating(draft: EvolveDraft, id: string, rating: number): EvolveDraft {
  const r = Math.max(0, Math.min(10, Math.round(rating)));
  return { ...draft, picks: draft.picks.map((p) => (p.id === id ? { ...p, rating: r } : p)) };
}

/** "None of these": clears the picks; pressed again, it is off. */
export function toggleRejectAll(draft: EvolveDraft): EvolveDraft {
  return draft.rejectAll ? { ...draft, rejectAll: false } : { ...draft, rejectAll: true, picks: [] };
}

export function setSlider(draft: EvolveDraft, scale: Scale, value: number): EvolveDraft {
  const v = Math.round(Math.max(-1, Math.min(1, value)) * 10) / 10;
  return { ...draft, slidersTouched: true, sliders: { ...draft.sliders, [scale]: v } };
}

export function isFull(draft: EvolveDraft, max = MAX_PICKS): boolean {
  return draft.picks.length >= max;
}

/** Checks a choice before sending; the message is shown to the witness as is. `numberOf` names a face as on screen. */
export function checkEvolveChoice(draft: EvolveDraft, numberOf: (id: string) => number | null = () => null): ApiError | null {
  if (draft.rejectAll) return null;
  if (!draft.picks.length) return new ApiError(-1, "Tap up to three faces that look most like the person, or choose “None of these”.");
  const unrated = draft.picks.find((p) => p.rating === null);
  if (unrated) {
    const n = numberOf(unrated.id);
    return new ApiError(-1, `Choose how close ${n ? `face ${n}` : "each face"} is, from 0 to 10.`);
  }
  return null;
}

function sliderBody(draft: EvolveDraft): Partial<Record<Scale, number>> | undefined {
  return draft.slidersTouched ? { ...draft.sliders } : undefined;
}

function picksBody(draft: EvolveDraft): { candidate_id: string; rating: number }[] {
  return draft.picks.map((p) => ({ candidate_id: p.id, rating: p.rating ?? 0 }));
}

/** The witness link's body (POST /api/witness/rounds): picks or reject_all, the scales, the words. */
export function witnessEvolveBody(draft: EvolveDraft): WitnessPick {
  const choice = draft.rejectAll ? { reject_all: true } : { picks: picksBody(draft) };
  return { ...choice, sliders: sliderBody(draft), feedback: draft.feedback.trim() };
}

/** The artist's round body from an evolve choice; `phase` only where the screen offers it. */
export function evolveRoundBody(draft: EvolveDraft, opts: { phase?: boolean } = {}): RoundCreate {
  const choice = draft.rejectAll ? { reject_all: true } : { picks: picksBody(draft) };
  return { model: "evolve", ...choice, sliders: sliderBody(draft), phase: opts.phase ? draft.phase : undefined, feedback: draft.feedback.trim() };
}

/** The artist's refine panel: what the round does with the picks. */
export type EvolveAction = "breed" | "blend" | "scale" | "reject";

/** Which actions the picks allow: blending takes exactly two faces, a scale array exactly one. */
export function allowedActions(pickCount: number): EvolveAction[] {
  const out: EvolveAction[] = ["reject"];
  if (pickCount >= 1) out.unshift("breed");
  if (pickCount === 1) out.push("scale");
  if (pickCount === 2) out.push("blend");
  return out;
}

/** The artist's evolve round: breed the rated picks, blend two, one face along a scale, or none of these. */
export function artistEvolveBody(
  draft: EvolveDraft,
  action: EvolveAction,
  opts: { blendWeight?: number; scale?: Scale; phase?: boolean; candidates?: number } = {},
): RoundCreate {
  const base = evolveRoundBody(action === "reject" ? { ...draft, rejectAll: true, picks: [] } : { ...draft, rejectAll: false }, { phase: opts.phase });
  if (opts.candidates) base.candidates = opts.candidates;
  if (action === "blend") {
    const [a, b] = draft.picks;
    if (!a || !b) throw new ApiError(-1, "Blend two: pick exactly two faces.");
    delete base.picks;
    return { ...base, blend: { a: a.id, b: b.id, weight: Math.max(0, Math.min(1, opts.blendWeight ?? 0.5)) } };
  }
  if (action === "scale") {
    if (draft.picks.length !== 1) throw new ApiError(-1, "Show along a scale: pick exactly one face.");
    return { ...base, scale_array: opts.scale ?? "age" };
  }
  return base;
}

/** How many pages an array needs (9 a page). */
export function pageCount(faces: number): number {
  return Math.max(1, Math.ceil(faces / PAGE_SIZE));
}

export function pageOf<T>(faces: T[], page: number): T[] {
  return faces.slice(page * PAGE_SIZE, page * PAGE_SIZE + PAGE_SIZE);
}

/**
 * The side of each face so that 3×3 fit in `width` × `height` (a laptop: no scrolling);
 * on a narrow screen (a phone) the width alone decides and the page scrolls.
 */
export function evolveCellSize(width: number, height: number, opts: { gap?: number; chrome?: number; phone?: boolean; min?: number } = {}): number {
  const { gap = 10, chrome = 10, phone = false, min = 80 } = opts;
  const byWidth = (width - 2 * gap) / 3 - chrome;
  const byHeight = (height - 2 * gap) / 3 - chrome;
  return Math.max(min, Math.floor(phone ? byWidth : Math.min(byWidth, byHeight)));
}

/** Arrow keys on a 3-wide grid: ← → by one, ↑ ↓ by a row; kept inside the page. */
export function moveInGrid(index: number, key: string, count: number): number {
  const delta = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -3, ArrowDown: 3 }[key] ?? 0;
  const next = index + delta;
  return next < 0 || next >= count ? index : next;
}

// ---------------------------------------------------------------- lineage (artist's screen)

export interface LineageParent {
  candidateId: string;
  weight: number | null;
  /** "round 2 · #3" where the parent is among the session's candidates. */
  label: string | null;
}

/** A candidate's parents, labelled by round and number. */
export function parentsOf(rounds: Round[], parents: { [k: string]: unknown }[]): LineageParent[] {
  const where = new Map<string, string>();
  for (const r of rounds) for (const c of r.candidates) where.set(c.id, `round ${r.index} · #${c.index + 1}`);
  return parents.map((p) => {
    const id = String(p.candidate_id ?? "");
    const w = typeof p.weight === "number" ? p.weight : null;
    return { candidateId: id, weight: w, label: where.get(id) ?? null };
  });
}

/** One line about what the witness chose from an array (a round's evolve_choice). */
export function describeChoice(choice: { [k: string]: unknown } | null | undefined, numberOf: (id: string) => string | null): string | null {
  if (!choice) return null;
  if (choice.reject_all) return "None of these";
  const blend = choice.blend as { a?: string; b?: string; weight?: number } | null | undefined;
  if (blend?.a && blend.b) return `Blend of ${numberOf(blend.a) ?? "a face"} and ${numberOf(blend.b) ?? "a face"} at ${blend.weight ?? 0.5}`;
  const picks = (choice.picks as { candidate_id: string; rating: number | null }[] | undefined) ?? [];
  const picked = picks.map((p) => `${numberOf(p.candidate_id) ?? "a face"} (${p.rating ?? "–"}/10)`).join(", ");
  const scale = choice.scale_array ? ` along ${String(choice.scale_array)}` : "";
  return picks.length ? `Picked ${picked}${scale}` : null;
}
