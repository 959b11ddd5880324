import { useCallback, useEffect, useRef, useState } from "react";
import { brushRadius, MaskCanvas, MaskHistory, toMaskPoint, type BrushMode, type Point } from "../lib/mask";

/**
 * Paint, over the picked candidate, the part the next round may change. The
 * mask has the image's own pixel size; the PNG sent to the server comes from
 * the pure MaskCanvas (white = repaint).
 */
export function MaskPainter({
  imageUrl,
  initial,
  onDone,
  onCancel,
}: {
  imageUrl: string;
  initial: MaskCanvas | null;
  onDone: (mask: MaskCanvas | null) => void;
  onCancel: () => void;
}) {
  const [mask, setMask] = useState<MaskCanvas | null>(initial ? initial.clone() : null);
  const [mode, setMode] = useState<BrushMode>("paint");
  const [size, setSize] = useState(36);
  const [version, setVersion] = useState(0);
  const history = useRef(new MaskHistory());
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const last = useRef<Point | null>(null);
  const [cursor, setCursor] = useState<{ x: number; y: number } | null>(null);

  const onImageLoad = (e: React.SyntheticEvent<HTMLImageElement>) => {
    const img = e.currentTarget;
    if (!mask || mask.width !== img.naturalWidth || mask.height !== img.naturalHeight) {
      setMask(new MaskCanvas(img.naturalWidth || 512, img.naturalHeight || 512));
    }
  };

  // Draw the mask as a translucent tint.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !mask) return;
    canvas.width = mask.width;
    canvas.height = mask.height;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.putImageData(new ImageData(mask.toOverlayRGBA(), mask.width, mask.height), 0, 0);
  }, [mask, version]);

  const paintAt = useCallback(
    (e: React.PointerEvent<HTMLCanvasElement>, start: boolean) => {
      if (!mask) return;
      const rect = e.currentTarget.getBoundingClientRect();
      const p = toMaskPoint(e.clientX, e.clientY, rect, mask);
      const r = brushRadius(size, rect.width, mask.width);
      if (start || !last.current) mask.stamp(p.x, p.y, r, mode);
      else mask.stroke(last.current, p, r, mode);
      last.current = p;
      setVersion((v) => v + 1);
    },
    [mask, mode, size],
  );

  const coverage = mask ? Math.round(mask.coverage() * 100) : 0;

  return (
    <div className="mask-painter">
      <div className="mask-tools" role="toolbar" aria-label="Mask tools">
        <div className="segmented" role="radiogroup" aria-label="Brush mode">
          <button type="button" role="radio" aria-checked={mode === "paint"} onClick={() => setMode("paint")}>
            Paint
          </button>
          <button type="button" role="radio" aria-checked={mode === "erase"} onClick={() => setMode("erase")}>
            Erase
          </button>
        </div>
        <label className="inline-field">
          <span>Brush size</span>
          <input type="range" min={6} max={120} value={size} onChange={(e) => setSize(Number(e.target.value))} aria-label="Brush size" />
        </label>
        <button
          type="button"
          className="btn btn-small"
          // eslint-disable-next-line react-hooks/refs -- the undo stack lives in a ref; every change to it bumps `version`, which re-renders
          disabled={!history.current.size}
          onClick={() => {
            if (mask && history.current.undo(mask)) setVersion((v) => v + 1);
          }}
        >
          Undo
        </button>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            if (!mask) return;
            history.current.push(mask);
            mask.clear();
            setVersion((v) => v + 1);
          }}
        >
          Clear mask
        </button>
        <span className="muted small" aria-live="polite" data-testid="mask-coverage">
          {coverage}% of the image will change
        </span>
      </div>
      <div className="mask-stage">
        <img src={imageUrl} alt="Picked candidate to paint over" onLoad={onImageLoad} draggable={false} />
        <canvas
          ref={canvasRef}
          aria-label="Mask canvas: drag to paint the area to change"
          role="img"
          className={`mask-canvas mask-${mode}`}
          onPointerDown={(e) => {
            if (!mask) return;
            e.currentTarget.setPointerCapture(e.pointerId);
            history.current.push(mask);
            paintAt(e, true);
          }}
          onPointerMove={(e) => {
            const rect = e.currentTarget.getBoundingClientRect();
            setCursor({ x: e.clientX - rect.left, y: e.clientY - rect.top });
            if (e.buttons & 1) paintAt(e, false);
          }}
          onPointerUp={() => (last.current = null)}
          onPointerLeave={() => {
            last.current = null;
            setCursor(null);
          }}
        />
        {cursor && <span className="mask-cursor" style={{ left: cursor.x, top: cursor.y, width: size, height: size }} aria-hidden="true" />}
      </div>
      <div className="form-actions">
        <button type="button" className="btn btn-primary" disabled={!mask} onClick={() => onDone(mask && !mask.isEmpty() ? mask : null)}>
          Use this mask
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
