import { describe, expect, it } from "vitest";
import { formatBytes, modelLabel } from "./format";

describe("format", () => {
  it("says sizes in bytes, KB, MB and GB", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MB");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2.0 GB");
    expect(formatBytes(-1)).toBe("—");
  });

  it("names the paper's models", () => {
    expect(modelLabel("clip-lora")).toBe("CLIP fusion + LoRA");
    expect(modelLabel("something-new")).toBe("something-new");
    expect(modelLabel(null)).toBe("—");
  });
});
