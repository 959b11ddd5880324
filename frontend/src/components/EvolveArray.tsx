import { useEffect, useState } from "react";
import { useReportOnce } from "../hooks";
import { isTypingTarget } from "../lib/shortcuts";
import { evolveCellSize, moveInGrid, pageCount, pageOf, PAGE_SIZE, type EvolvePick } from "../lib/evolve";
import type { WitnessFaceLike } from "../lib/witnessView";
import { CandidateImage } from "./CandidateImage";
import { CompositeNotice } from "./CompositeNotice";
import "./evolve.css";

const GAP = 10;
// 3px border + 3px padding each side.
const CHROME = 12;

/** Side of a face so 3×3 fit the space left below the grid's top on a laptop; on a phone the width decides. */
function useCellSize(paged: boolean): [(el: HTMLElement | null) => void, number | null] {
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [size, setSize] = useState<number | null>(null);
  useEffect(() => {
    if (!el) return;
    const measure = () => {
      const phone = window.innerWidth < 700;
      const top = el.getBoundingClientRect().top + window.scrollY;
      // Below the grid: the page switcher (when there are two pages) and the frame's padding.
      const height = window.innerHeight - top - (paged ? 64 : 24);
      setSize(evolveCellSize(el.clientWidth, height, { gap: GAP, chrome: CHROME, phone }));
    };
    measure();
    const observer = typeof ResizeObserver !== "undefined" ? new ResizeObserver(measure) : null;
    observer?.observe(el);
    window.addEventListener("resize", measure);
    return () => {
      observer?.disconnect();
      window.removeEventListener("resize", measure);
    };
  }, [el, paged]);
  return [setEl, size];
}

/**
 * An evolved array, 3×3 a page (two pages for up to 18): tap a face to pick or
 * unpick it. Keys: 1–9 pick on this page, arrows move, space picks the focused face.
 */
export function EvolveArray({
  faces,
  picks,
  full,
  onToggle,
  onShown = null,
  question = "Which faces look most like the person you saw?",
}: {
  faces: WitnessFaceLike[];
  picks: EvolvePick[];
  /** Three faces are picked: the others can't be added. */
  full: boolean;
  onToggle: (face: WitnessFaceLike) => void;
  /** Records a face as shown to the witness: only faces on the page in view, once each. */
  onShown?: ((faceId: string) => Promise<unknown>) | null;
  question?: string;
}) {
  const [page, setPage] = useState(0);
  const [focused, setFocused] = useState(0);
  const pages = pageCount(faces.length);
  const shown = pageOf(faces, Math.min(page, pages - 1));
  const offset = Math.min(page, pages - 1) * PAGE_SIZE;
  const [gridRef, size] = useCellSize(pages > 1);
  useReportOnce(
    shown.map((f) => f.id),
    onShown,
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
      const tag = (e.target as HTMLElement | null)?.tagName;
      if (/^[1-9]$/.test(e.key)) {
        const i = Number(e.key) - 1;
        const face = shown[i];
        if (face) {
          setFocused(i);
          onToggle(face);
        }
      } else if (e.key.startsWith("Arrow")) {
        e.preventDefault();
        setFocused((f) => moveInGrid(f, e.key, shown.length));
      } else if (e.key === " " && tag !== "BUTTON") {
        const face = shown[focused];
        if (face) {
          e.preventDefault();
          onToggle(face);
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [shown, focused, onToggle]);

  return (
    <section className="evolve-array" aria-labelledby="evolve-q">
      <h1 id="evolve-q" className="evolve-question">
        {question}
        <span className="evolve-hint"> Tap up to three. Keys 1–9, arrows and space work too.</span>
      </h1>
      {/* One notice for the whole array: nine small faces each captioned would crowd out the faces. */}
      <p className="evolve-notice">
        Every face here: <CompositeNotice />
      </p>
      <div
        ref={gridRef}
        className="evolve-grid"
        style={size ? { gridTemplateColumns: `repeat(3, ${size + CHROME}px)` } : undefined}
        role="listbox"
        aria-multiselectable="true"
        aria-label="Faces"
      >
        {shown.map((face, i) => {
          const n = offset + i + 1;
          const picked = picks.findIndex((p) => p.id === face.id);
          return (
            <div
              key={face.id}
              role="option"
              aria-selected={picked >= 0}
              aria-disabled={picked < 0 && full}
              aria-label={`Face ${n}${picked >= 0 ? ", picked" : ""}`}
              tabIndex={i === focused ? 0 : -1}
              className={`evolve-face${picked >= 0 ? " is-picked" : ""}${i === focused ? " is-focused" : ""}${picked < 0 && full ? " is-full" : ""}`}
              onClick={() => {
                setFocused(i);
                onToggle(face);
              }}
              onFocus={() => setFocused(i)}
            >
              <CandidateImage src={face.image_url} alt={`Face ${n}`} />
              <span className="evolve-face-num">{n}</span>
              {picked >= 0 && <span className="evolve-face-tick" aria-hidden="true">✓</span>}
            </div>
          );
        })}
      </div>
      {pages > 1 && (
        <nav className="evolve-pages" aria-label="Pages of faces">
          {Array.from({ length: pages }, (_, p) => (
            <button
              key={p}
              type="button"
              className={`btn btn-small${p === page ? " btn-primary" : ""}`}
              aria-current={p === page ? "page" : undefined}
              onClick={() => {
                setPage(p);
                setFocused(0);
              }}
            >
              Faces {p * PAGE_SIZE + 1}–{Math.min(faces.length, (p + 1) * PAGE_SIZE)}
            </button>
          ))}
        </nav>
      )}
    </section>
  );
}
