/**
 * The token meter: how a prompt's length sits against CLIP's 77-token window.
 *
 * CLIP reads 77 tokens at a time, two of which are the start and end markers, so
 * a window holds 75 tokens of prompt. Longer prompts are allowed: the engine
 * encodes them in 75-token chunks and concatenates, never truncating. The meter
 * shows the first boundary clearly and every further chunk as a tick.
 */

export const CLIP_WINDOW = 77;
export const MARKER_TOKENS = 2;

export type MeterState = "empty" | "ok" | "near" | "over";

export interface MeterModel {
  count: number;
  window: number;
  /** Prompt tokens one window holds (window minus start/end markers). */
  perChunk: number;
  /** How many windows the engine will encode. */
  chunks: number;
  state: MeterState;
  /** The width of the bar, in tokens (whole chunks, at least one). */
  scaleMax: number;
  /** Fill, 0-100, of the bar. */
  fillPercent: number;
  /** Where each window boundary sits on the bar, 0-100. */
  boundaries: { tokens: number; percent: number }[];
  /** Short text: "64 / 75 tokens". */
  label: string;
  /** A sentence saying what the count means. */
  hint: string;
}

/** Share of the first window at which the meter starts to warn. */
export const NEAR_FRACTION = 0.85;

function tokens(n: number): string {
  return `${n} token${n === 1 ? "" : "s"}`;
}

export function chunksNeeded(count: number, perChunk: number): number {
  return Math.max(1, Math.ceil(count / perChunk));
}

export function meterModel(count: number, window: number = CLIP_WINDOW): MeterModel {
  const safeWindow = Number.isFinite(window) && window > MARKER_TOKENS ? window : CLIP_WINDOW;
  const perChunk = safeWindow - MARKER_TOKENS;
  const n = Math.max(0, Math.floor(Number.isFinite(count) ? count : 0));
  const chunks = chunksNeeded(n, perChunk);
  const scaleMax = chunks * perChunk;
  const state: MeterState =
    n === 0 ? "empty" : n > perChunk ? "over" : n >= Math.ceil(perChunk * NEAR_FRACTION) ? "near" : "ok";
  const boundaries = [];
  for (let k = 1; k <= chunks; k++) {
    boundaries.push({ tokens: k * perChunk, percent: (100 * k * perChunk) / scaleMax });
  }
  const label = `${n} / ${perChunk} tokens`;
  let hint: string;
  switch (state) {
    case "empty":
      hint = `Nothing to encode yet. One CLIP window holds ${perChunk} prompt tokens (${safeWindow} with start/end markers).`;
      break;
    case "ok":
      hint = `Fits in one ${safeWindow}-token CLIP window; ${tokens(perChunk - n)} to spare.`;
      break;
    case "near":
      hint = `Close to the ${safeWindow}-token window: ${tokens(perChunk - n)} left before a second chunk.`;
      break;
    case "over":
      hint = `Past the ${safeWindow}-token window by ${n - perChunk}: encoded in ${chunks} chunks of ${perChunk}, nothing is cut off.`;
      break;
  }
  return { count: n, window: safeWindow, perChunk, chunks, state, scaleMax, fillPercent: (100 * n) / scaleMax, boundaries, label, hint };
}

/**
 * A rough local count, used only while the server preview is unavailable.
 * Splits like CLIP's pre-tokenizer (words, single digits, punctuation runs);
 * long words cost extra as BPE splits them. Always shown as an estimate.
 */
export function estimateTokens(text: string): number {
  const pieces = text.toLowerCase().match(/'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/gu) ?? [];
  let total = 0;
  for (const piece of pieces) {
    total += /^[\p{L}]+$/u.test(piece) ? Math.max(1, Math.ceil(piece.length / 8)) : 1;
  }
  return total;
}
