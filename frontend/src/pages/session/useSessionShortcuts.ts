import { useEffect } from "react";
import type { Candidate } from "../../api";
import { keyToAction, moveIndex } from "../../lib/shortcuts";

/** Keyboard on the session page: ← → move, 1-8 jump, Enter/P pick, C compare, ? help. */
export function useSessionShortcuts({
  candidates,
  focused,
  setFocused,
  paused,
  canPick,
  onPick,
  onCompare,
  onHelp,
}: {
  candidates: Candidate[];
  focused: number;
  setFocused: (update: (f: number) => number) => void;
  /** A dialog is open: the keys belong to it. */
  paused: boolean;
  canPick: boolean;
  onPick: (c: Candidate) => void;
  /** Opens the comparison, adding the focused candidate if there is one. */
  onCompare: (c: Candidate | undefined) => void;
  onHelp: () => void;
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (paused) return;
      const action = keyToAction(e);
      if (!action) return;
      const count = candidates.length;
      switch (action.type) {
        case "move":
          if (!count) return;
          e.preventDefault();
          setFocused((f) => moveIndex(f, action.delta, count));
          break;
        case "jump":
          if (action.index < count) {
            e.preventDefault();
            setFocused(() => action.index);
          }
          break;
        case "pick": {
          const c = candidates[focused];
          if (c && canPick) {
            e.preventDefault();
            onPick(c);
          }
          break;
        }
        case "compare":
          e.preventDefault();
          onCompare(candidates[focused]);
          break;
        case "help":
          e.preventDefault();
          onHelp();
          break;
        case "close":
          break;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [candidates, focused, setFocused, paused, canPick, onPick, onCompare, onHelp]);
}
