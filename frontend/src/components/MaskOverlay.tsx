import { useEffect, useRef, useState } from "react";
import type { MaskCanvas } from "../lib/mask";
import { REGION_BOXES, regionOverlayUrl } from "../lib/safeguards";
import { CandidateImage } from "./CandidateImage";

type Located = "pending" | "found" | "no-face";

/**
 * The pick with what the next round may change laid over it: the painted mask
 * as a blue tint, or the facial region. For a region, outlined boxes (where it
 * sits on a front-facing face) show at once; the server then finds the region on
 * this face, as the round will, and its tint replaces the boxes. Where it finds
 * no face the boxes stay, marked approximate (the round would be refused).
 */
export function MaskOverlay({ src, alt, mask, region, className }: { src: string; alt: string; mask: MaskCanvas | null; region: string; className?: string }) {
  const [located, setLocated] = useLocatedRegion(src, mask ? "" : region);
  const boxes = !mask && region && located !== "found" ? REGION_BOXES[region] : undefined;
  const approximate = located === "no-face" ? " (approximate: no face found)" : "";
  const what = mask ? "painted mask" : region ? `region: ${region}${approximate}` : null;
  return (
    <div className={`mask-overlay-wrap ${className ?? ""}`}>
      <CandidateImage src={src} alt={alt} />
      {mask && <PaintedOverlay mask={mask} />}
      {!mask && region && located !== "no-face" && (
        <img
          key={`${src} ${region}`}
          className={`mask-overlay region-overlay${located === "found" ? "" : " is-loading"}`}
          src={regionOverlayUrl(src, region)}
          alt=""
          aria-hidden="true"
          data-testid="region-overlay"
          onLoad={() => setLocated("found")}
          onError={() => setLocated("no-face")}
        />
      )}
      {boxes && (
        <div className="mask-overlay" aria-hidden="true">
          {boxes.map(([left, top, width, height], i) => (
            <span
              key={i}
              className="region-box"
              style={{ left: `${left * 100}%`, top: `${top * 100}%`, width: `${width * 100}%`, height: `${height * 100}%` }}
            />
          ))}
        </div>
      )}
      {what && (
        <span className="mask-overlay-label" data-testid="mask-overlay" role="img" aria-label={`Overlay on the pick: ${what}`}>
          {mask ? "mask" : approximate ? `${region} (approximate)` : region}
        </span>
      )}
    </div>
  );
}

/** Whether the server has located `region` on the picture at `src`; pending again when either changes. */
function useLocatedRegion(src: string, region: string): [Located, (located: Located) => void] {
  const key = `${src} ${region}`;
  const [state, setState] = useState<{ key: string; located: Located }>({ key, located: "pending" });
  return [state.key === key ? state.located : "pending", (located) => setState({ key, located })];
}

function PaintedOverlay({ mask }: { mask: MaskCanvas }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext("2d");
    if (!ctx) return;
    ctx.putImageData(new ImageData(mask.toOverlayRGBA(), mask.width, mask.height), 0, 0);
  }, [mask]);
  return <canvas ref={ref} className="mask-overlay" width={mask.width} height={mask.height} aria-hidden="true" />;
}
