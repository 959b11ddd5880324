import { describe, expect, it } from "vitest";
import { inflateSync } from "node:zlib";
import { brushRadius, MaskCanvas, MaskHistory, toMaskPoint } from "./mask";
import { crc32, encodeGrayPng, PNG_SIGNATURE } from "./png";

interface Chunk {
  type: string;
  data: Uint8Array;
  crcOk: boolean;
}

function readChunks(png: Uint8Array): Chunk[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  let o = 8;
  while (o < png.length) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    const data = png.subarray(o + 8, o + 8 + len);
    const crc = view.getUint32(o + 8 + len);
    chunks.push({ type, data, crcOk: crc === crc32(png, o + 4, o + 8 + len) });
    o += 12 + len;
  }
  return chunks;
}

/** Decodes what encodeGrayPng writes (filter 0 rows) back into pixels. */
function decodeGray(png: Uint8Array): { width: number; height: number; pixels: Uint8Array } {
  const chunks = readChunks(png);
  const ihdr = new DataView(chunks[0]!.data.buffer, chunks[0]!.data.byteOffset, 13);
  const width = ihdr.getUint32(0);
  const height = ihdr.getUint32(4);
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === "IDAT").map((c) => Buffer.from(c.data))));
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width + 1)]).toBe(0);
    pixels.set(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  }
  return { width, height, pixels };
}

describe("MaskCanvas", () => {
  it("starts empty and stamps a filled disc", () => {
    const m = new MaskCanvas(20, 20);
    expect(m.isEmpty()).toBe(true);
    m.stamp(10, 10, 3);
    expect(m.isEmpty()).toBe(false);
    expect(m.data[10 * 20 + 10]).toBe(255);
    expect(m.data[10 * 20 + 15]).toBe(0);
    // A radius-3 disc covers about pi*9 pixels.
    expect(m.paintedPixels()).toBeGreaterThan(20);
    expect(m.paintedPixels()).toBeLessThan(40);
  });

  it("draws a continuous stroke with no gaps, even for a fast drag", () => {
    const m = new MaskCanvas(100, 10);
    m.stroke({ x: 2, y: 5 }, { x: 97, y: 5 }, 2);
    for (let x = 2; x < 97; x++) expect(m.data[5 * 100 + x]).toBe(255);
    expect(m.bounds()).toEqual({ x: 0, y: 3, width: 99, height: 4 });
  });

  it("erases, clears, inverts and reports coverage", () => {
    const m = new MaskCanvas(10, 10);
    m.stamp(5, 5, 10);
    expect(m.coverage()).toBe(1);
    m.stamp(5, 5, 2, "erase");
    expect(m.coverage()).toBeLessThan(1);
    m.invert();
    expect(m.coverage()).toBeGreaterThan(0);
    expect(m.coverage()).toBeLessThan(0.2);
    m.clear();
    expect(m.isEmpty()).toBe(true);
    expect(m.bounds()).toBeNull();
  });

  it("clips stamps at the edges", () => {
    const m = new MaskCanvas(8, 8);
    m.stamp(-2, -2, 4);
    m.stamp(20, 20, 4);
    expect(m.data[0]).toBe(255);
    expect(m.data[63]).toBe(0);
  });

  it("undoes to earlier snapshots", () => {
    const m = new MaskCanvas(8, 8);
    const h = new MaskHistory(2);
    h.push(m);
    m.stamp(4, 4, 2);
    h.push(m);
    m.clear();
    expect(h.undo(m)).toBe(true);
    expect(m.isEmpty()).toBe(false);
    expect(h.undo(m)).toBe(true);
    expect(m.isEmpty()).toBe(true);
    expect(h.undo(m)).toBe(false);
  });

  it("tints only painted pixels in the overlay", () => {
    const m = new MaskCanvas(2, 1);
    m.data[1] = 255;
    const rgba = m.toOverlayRGBA([1, 2, 3], 100);
    expect([...rgba]).toEqual([0, 0, 0, 0, 1, 2, 3, 100]);
  });
});

describe("mask PNG output", () => {
  it("is a valid greyscale PNG at the image's size, white where painted", () => {
    const m = new MaskCanvas(64, 48);
    m.stroke({ x: 10, y: 10 }, { x: 50, y: 30 }, 5);
    const png = m.toPng();
    expect([...png.subarray(0, 8)]).toEqual([...PNG_SIGNATURE]);
    const chunks = readChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    expect(chunks.every((c) => c.crcOk)).toBe(true);
    expect(chunks[0]!.data[8]).toBe(8); // bit depth
    expect(chunks[0]!.data[9]).toBe(0); // greyscale
    const decoded = decodeGray(png);
    expect(decoded.width).toBe(64);
    expect(decoded.height).toBe(48);
    expect([...decoded.pixels]).toEqual([...m.data]);
    expect(new Set(decoded.pixels)).toEqual(new Set([0, 255]));
  });

  it("handles images bigger than one deflate block (512x512)", () => {
    const m = new MaskCanvas(512, 512);
    m.stamp(256, 200, 60);
    const decoded = decodeGray(m.toPng());
    expect(decoded.pixels.length).toBe(512 * 512);
    expect([...decoded.pixels.subarray(200 * 512, 201 * 512)]).toEqual([...m.data.subarray(200 * 512, 201 * 512)]);
    expect(decoded.pixels.reduce((n, v) => n + (v ? 1 : 0), 0)).toBe(m.paintedPixels());
  });

  it("refuses a pixel buffer of the wrong size", () => {
    expect(() => encodeGrayPng(4, 4, new Uint8Array(3))).toThrow(/expected 16/);
  });
});

describe("pointer mapping", () => {
  it("maps display coordinates to mask pixels and clamps", () => {
    const rect = { left: 100, top: 50, width: 256, height: 256 };
    expect(toMaskPoint(228, 178, rect, { width: 512, height: 512 })).toEqual({ x: 256, y: 256 });
    expect(toMaskPoint(0, 0, rect, { width: 512, height: 512 })).toEqual({ x: 0, y: 0 });
    expect(toMaskPoint(1000, 1000, rect, { width: 512, height: 512 })).toEqual({ x: 512, y: 512 });
  });
  it("scales the brush to mask pixels", () => {
    expect(brushRadius(40, 256, 512)).toBe(40);
  });
});
