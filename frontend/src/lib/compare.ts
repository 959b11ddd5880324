/** Which candidates are on the compare table, and how two of them are compared. */

export const MAX_COMPARE = 6;

export type CompareMode = "side" | "slider" | "flicker";

/** Adds `id` if absent, removes it if present; keeps at most `max` (drops the oldest). */
export function toggleCompare(selection: string[], id: string, max = MAX_COMPARE): string[] {
  if (selection.includes(id)) return selection.filter((x) => x !== id);
  const next = [...selection, id];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** Adds `id` (if absent) without removing it. */
export function addToCompare(selection: string[], id: string, max = MAX_COMPARE): string[] {
  return selection.includes(id) ? selection : toggleCompare(selection, id, max);
}

/** Slider and flicker compare exactly two images; with more, side by side. */
export function availableModes(count: number): CompareMode[] {
  return count === 2 ? ["side", "slider", "flicker"] : ["side"];
}

export function effectiveMode(mode: CompareMode, count: number): CompareMode {
  return availableModes(count).includes(mode) ? mode : "side";
}

/** Columns for a side-by-side grid so images stay as large as possible. */
export function compareColumns(count: number): number {
  if (count <= 1) return 1;
  if (count <= 3) return count;
  if (count === 4) return 2;
  return 3;
}
