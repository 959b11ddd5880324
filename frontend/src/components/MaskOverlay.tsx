import { useEffect, useRef } from "react";
import type { MaskCanvas } from "../lib/mask";
import { REGION_BOXES } from "../lib/safeguards";
import { CandidateImage } from "./CandidateImage";

/**
 * The pick with what the next round may change laid over it: the painted mask
 * as a blue tint, or the facial region as outlined boxes (where the region sits
 * on a front-facing face; the server finds it on the actual face when drawing).
 */
export function MaskOverlay({ src, alt, mask, region, className }: { src: string; alt: string; mask: MaskCanvas | null; region: string; className?: string }) {
  const boxes = !mask && region ? REGION_BOXES[region] : undefined;
  const what = mask ? "painted mask" : boxes ? `region: ${region}` : null;
  return (
    <div className={`mask-overlay-wrap ${className ?? ""}`}>
      <CandidateImage src={src} alt={alt} />
      {mask && <PaintedOverlay mask={mask} />}
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
          {mask ? "mask" : region}
        </span>
      )}
    </div>
  );
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
