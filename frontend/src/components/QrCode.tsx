import { useMemo } from "react";
import { qrPath } from "../lib/qr";

/** `text` as a QR code (SVG, generated locally), for a phone or tablet camera. */
export function QrCode({ text, label, px = 184 }: { text: string; label: string; px?: number }) {
  const { size, path } = useMemo(() => qrPath(text), [text]);
  const quiet = 4;
  return (
    <svg
      className="qr-code"
      role="img"
      aria-label={label}
      width={px}
      height={px}
      viewBox={`${-quiet} ${-quiet} ${size + 2 * quiet} ${size + 2 * quiet}`}
      shapeRendering="crispEdges"
      data-testid="qr-code"
    >
      <rect x={-quiet} y={-quiet} width={size + 2 * quiet} height={size + 2 * quiet} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
