import { describe, expect, it } from "vitest";
import { fitGrid } from "./gridFit";

describe("fitGrid", () => {
  it("puts four candidates in a row on a wide, short area", () => {
    const f = fitGrid(4, 1200, 320, { gap: 10 });
    expect(f.columns).toBe(4);
    expect(f.size).toBe(292);
  });

  it("uses 2 x 2 when the area is square-ish", () => {
    const f = fitGrid(4, 800, 800, { gap: 10 });
    expect([f.columns, f.rows]).toEqual([2, 2]);
    expect(f.size).toBe(395);
    expect(f.width).toBe(800);
  });

  it("accounts for card chrome and never goes below the minimum", () => {
    const f = fitGrid(4, 800, 800, { gap: 10, chromeY: 50, chromeX: 16 });
    expect(f.size).toBe(345);
    expect(f.width).toBe(2 * (345 + 16) + 10);
    expect(fitGrid(8, 300, 200, { minSize: 120 }).size).toBe(120);
  });

  it("never lays out wider than the area when held at the minimum size (a phone)", () => {
    const f = fitGrid(4, 342, 200, { gap: 14, chromeX: 18, chromeY: 70, minSize: 150 });
    expect(f.size).toBe(150);
    expect(f.width).toBeLessThanOrEqual(342);
    expect([f.columns, f.rows]).toEqual([1, 4]);
  });

  it("does not choose layouts with an empty row", () => {
    const f = fitGrid(3, 2000, 2000);
    expect(f.rows * f.columns - 3).toBeLessThan(f.columns);
  });

  it("handles one candidate and caps at the maximum", () => {
    expect(fitGrid(1, 5000, 5000, { maxSize: 700 })).toMatchObject({ columns: 1, rows: 1, size: 700 });
    expect(fitGrid(0, 500, 500).columns).toBe(1);
  });
});
