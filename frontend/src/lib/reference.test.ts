import { describe, expect, it } from "vitest";
import { referenceProblem } from "./reference";

describe("reference upload", () => {
  it("takes PNG, JPEG and WebP up to 20 MB", () => {
    expect(referenceProblem({ name: "sketch.png", type: "image/png", size: 1000 })).toBeNull();
    expect(referenceProblem({ name: "photo.JPG", type: "", size: 1000 })).toBeNull();
    expect(referenceProblem({ name: "photo.heic", type: "image/heic", size: 1000 })).toMatch(/not a PNG, JPEG or WebP/);
    expect(referenceProblem({ name: "big.jpg", type: "image/jpeg", size: 21 * 1024 * 1024 })).toMatch(/21\.0 MB; the limit is 20 MB/);
    expect(referenceProblem({ name: "empty.png", type: "image/png", size: 0 })).toMatch(/empty/);
  });
});
