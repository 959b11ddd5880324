/**
 * How to lay out N square images so each is as large as possible while the
 * whole round stays on screen (no scrolling to see the last candidate).
 */

export interface GridFit {
  columns: number;
  rows: number;
  /** Side of each image, in CSS pixels. */
  size: number;
  /** Width the grid needs at that size (images + gaps + per-card extra width). */
  width: number;
}

export interface GridFitOptions {
  /** Space between cards. */
  gap?: number;
  /** Height each card adds beyond its image (caption, padding, border). */
  chromeY?: number;
  /** Width each card adds beyond its image (padding, border). */
  chromeX?: number;
  /** Never shrink images below this; past it the page scrolls instead. */
  minSize?: number;
  /** Never grow images beyond this. */
  maxSize?: number;
}

export function fitGrid(count: number, width: number, height: number, opts: GridFitOptions = {}): GridFit {
  const { gap = 14, chromeY = 0, chromeX = 0, minSize = 140, maxSize = 1024 } = opts;
  const n = Math.max(1, Math.floor(count));
  let best: GridFit | null = null;
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns);
    // A column count that needs no more rows than one column fewer only adds empty cells.
    if ((columns - 1) * rows >= n) continue;
    const byWidth = (width - gap * (columns - 1)) / columns - chromeX;
    const byHeight = (height - gap * (rows - 1)) / rows - chromeY;
    const size = Math.floor(Math.min(byWidth, byHeight, maxSize));
    if (!best || size > best.size || (size === best.size && columns < best.columns)) {
      best = { columns, rows, size, width: 0 };
    }
  }
  let fit = best!;
  const size = Math.max(minSize, Math.min(fit.size, maxSize));
  if (size > fit.size) {
    // Held at the minimum size (a short screen): no more columns than the width takes, the page scrolls instead.
    const columns = Math.max(1, Math.min(fit.columns, Math.floor((width + gap) / (size + chromeX + gap))));
    fit = { ...fit, columns, rows: Math.ceil(n / columns) };
  }
  return { ...fit, size, width: Math.round(fit.columns * (size + chromeX) + gap * (fit.columns - 1)) };
}
