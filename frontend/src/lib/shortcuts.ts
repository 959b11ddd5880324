/**
 * Keyboard shortcuts of the session and witness screens.
 *   ← / →   previous / next candidate      Enter or P   pick
 *   C       compare (add the focused one)  Escape       close overlay
 *   1-8     jump to a candidate            ?            list shortcuts
 * Typing in a field never triggers them (Escape still closes overlays).
 */

export type ShortcutAction =
  | { type: "move"; delta: number }
  | { type: "jump"; index: number }
  | { type: "pick" }
  | { type: "compare" }
  | { type: "close" }
  | { type: "help" };

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  target?: EventTarget | null;
}

const TYPING_TAGS = new Set(["INPUT", "TEXTAREA", "SELECT"]);

export function isTypingTarget(target: EventTarget | null | undefined): boolean {
  if (!target || typeof target !== "object") return false;
  const el = target as { tagName?: string; isContentEditable?: boolean };
  return (!!el.tagName && TYPING_TAGS.has(el.tagName.toUpperCase())) || !!el.isContentEditable;
}

export function isButtonTarget(target: EventTarget | null | undefined): boolean {
  if (!target || typeof target !== "object") return false;
  const el = target as { tagName?: string; getAttribute?: (n: string) => string | null };
  const tag = el.tagName?.toUpperCase();
  // Enter on a focused button or link should activate that button, not pick.
  return tag === "BUTTON" || tag === "A" || (tag !== undefined && el.getAttribute?.("role") === "button");
}

export function keyToAction(e: KeyLike): ShortcutAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === "Escape") return { type: "close" };
  if (isTypingTarget(e.target)) return null;
  switch (e.key) {
    case "ArrowRight":
      return { type: "move", delta: 1 };
    case "ArrowLeft":
      return { type: "move", delta: -1 };
    case "Enter":
      return isButtonTarget(e.target) ? null : { type: "pick" };
    case "p":
    case "P":
      return { type: "pick" };
    case "c":
    case "C":
      return { type: "compare" };
    case "?":
      return { type: "help" };
  }
  if (/^[1-9]$/.test(e.key)) return { type: "jump", index: Number(e.key) - 1 };
  return null;
}

/** Moves a focus index by `delta` within `count` items, wrapping around. */
export function moveIndex(current: number, delta: number, count: number): number {
  if (count <= 0) return -1;
  if (current < 0) return delta >= 0 ? 0 : count - 1;
  return (((current + delta) % count) + count) % count;
}

export const SHORTCUT_HELP: { keys: string; what: string }[] = [
  { keys: "← →", what: "Previous / next candidate" },
  { keys: "1 – 8", what: "Jump to a candidate" },
  { keys: "Enter or P", what: "Pick the focused candidate" },
  { keys: "C", what: "Add the focused candidate to the comparison and open it" },
  { keys: "Esc", what: "Close the comparison or dialog" },
  { keys: "?", what: "Show these shortcuts" },
];
