/**
 * The mask painted over a picked candidate: which pixels the next round may
 * change. White (255) = repaint, black (0) = keep. Pure: the React painter
 * feeds pointer positions in; the PNG sent to the server comes out.
 */
import { encodeGrayPng } from "./png";

export type BrushMode = "paint" | "erase";

export interface Point {
  x: number;
  y: number;
}

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class MaskCanvas {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;

  constructor(width: number, height: number, data?: Uint8Array) {
    if (!(width > 0 && height > 0)) throw new Error("mask size must be positive");
    this.width = Math.round(width);
    this.height = Math.round(height);
    this.data = data ? new Uint8Array(data) : new Uint8Array(this.width * this.height);
  }

  clone(): MaskCanvas {
    return new MaskCanvas(this.width, this.height, this.data);
  }

  /** A filled disc of `radius` pixels at (cx, cy). */
  stamp(cx: number, cy: number, radius: number, mode: BrushMode = "paint"): void {
    const value = mode === "paint" ? 255 : 0;
    const r = Math.max(0.5, radius);
    const r2 = r * r;
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(this.width - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(this.height - 1, Math.ceil(cy + r));
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - cx;
        if (dx * dx + dy * dy <= r2) this.data[y * this.width + x] = value;
      }
    }
  }

  /** A continuous stroke: discs spaced closely enough that fast drags leave no gaps. */
  stroke(from: Point, to: Point, radius: number, mode: BrushMode = "paint"): void {
    const dist = Math.hypot(to.x - from.x, to.y - from.y);
    const step = Math.max(0.5, radius / 3);
    const n = Math.max(1, Math.ceil(dist / step));
    for (let i = 0; i <= n; i++) {
      const t = i / n;
      this.stamp(from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t, radius, mode);
    }
  }

  clear(): void {
    this.data.fill(0);
  }

  invert(): void {
    for (let i = 0; i < this.data.length; i++) this.data[i] = this.data[i] ? 0 : 255;
  }

  paintedPixels(): number {
    let n = 0;
    for (let i = 0; i < this.data.length; i++) if (this.data[i]) n++;
    return n;
  }

  /** Share of the image the next round may repaint, 0-1. */
  coverage(): number {
    return this.paintedPixels() / this.data.length;
  }

  isEmpty(): boolean {
    return this.data.every((v) => v === 0);
  }

  bounds(): Bounds | null {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -1;
    let maxY = -1;
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        if (this.data[y * this.width + x]) {
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          if (y > maxY) maxY = y;
        }
      }
    }
    return maxX < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
  }

  /** The mask as a greyscale PNG at full image size (white = repaint). */
  toPng(): Uint8Array<ArrayBuffer> {
    return encodeGrayPng(this.width, this.height, this.data);
  }

  /** RGBA pixels for drawing the painted area as a translucent tint over the image. */
  toOverlayRGBA(rgb: [number, number, number] = [30, 110, 255], alpha = 150): Uint8ClampedArray<ArrayBuffer> {
    const out = new Uint8ClampedArray(new ArrayBuffer(this.data.length * 4));
    for (let i = 0; i < this.data.length; i++) {
      if (this.data[i]) {
        out[i * 4] = rgb[0];
        out[i * 4 + 1] = rgb[1];
        out[i * 4 + 2] = rgb[2];
        out[i * 4 + 3] = alpha;
      }
    }
    return out;
  }
}

/**
 * Maps a pointer position on the displayed image (CSS pixels inside `rect`) to
 * mask pixel coordinates, clamped to the image.
 */
export function toMaskPoint(
  clientX: number,
  clientY: number,
  rect: { left: number; top: number; width: number; height: number },
  mask: { width: number; height: number },
): Point {
  const x = ((clientX - rect.left) / Math.max(1, rect.width)) * mask.width;
  const y = ((clientY - rect.top) / Math.max(1, rect.height)) * mask.height;
  return { x: Math.min(mask.width, Math.max(0, x)), y: Math.min(mask.height, Math.max(0, y)) };
}

/** Brush radius in mask pixels for a brush `cssSize` wide on a display `displayWidth` wide. */
export function brushRadius(cssSize: number, displayWidth: number, maskWidth: number): number {
  return (cssSize / 2) * (maskWidth / Math.max(1, displayWidth));
}

/** An undo stack of mask snapshots, bounded so long sessions stay light. */
export class MaskHistory {
  private stack: Uint8Array[] = [];
  constructor(private readonly limit = 20) {}
  push(mask: MaskCanvas): void {
    this.stack.push(new Uint8Array(mask.data));
    if (this.stack.length > this.limit) this.stack.shift();
  }
  undo(mask: MaskCanvas): boolean {
    const prev = this.stack.pop();
    if (!prev) return false;
    mask.data.set(prev);
    return true;
  }
  get size(): number {
    return this.stack.length;
  }
}
