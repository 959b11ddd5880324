import { create } from "qrcode";

/**
 * A QR code as one SVG path (dark modules), made here in the browser: the link
 * (its one-time token included) never goes to a QR service. `size` counts
 * modules without the quiet zone.
 */
export function qrPath(text: string): { size: number; path: string } {
  const { modules } = create(text, { errorCorrectionLevel: "M" });
  const parts: string[] = [];
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) parts.push(`M${col} ${row}h1v1h-1z`);
    }
  }
  return { size: modules.size, path: parts.join("") };
}
