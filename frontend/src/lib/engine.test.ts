import { describe, expect, it } from "vitest";
import type { Adapter, ModelId, Registry, SketchStyle } from "../api";
import {
  adaptersOfKind,
  clampWeight,
  describeInForce,
  engineInForce,
  engineProblem,
  NOTHING_IN_FORCE,
  sameAdapters,
  setAdapterWeight,
  strategyChoices,
  styleChoices,
  toggleAdapter,
} from "./engine";

function adapter(a: Pick<Adapter, "id" | "name" | "kind">): Adapter {
  return { ...a, sha256: `sha-${a.id}`, size_bytes: 1, config: {}, metrics: {}, dataset_id: null, created_at: "2025-03-04T10:00:00Z" };
}

const registry: Registry = {
  base: { name: "tiny" },
  strategies: ["img2img", "clip-fusion", "clip-lora"],
  styles: ["pencil", "charcoal", "ink"],
  adapters: [
    adapter({ id: "u1", name: "Dept pencil", kind: "unet-lora" }),
    adapter({ id: "u2", name: "Soft shading", kind: "unet-lora" }),
    adapter({ id: "c1", name: "Faces CLIP", kind: "clip-lora" }),
    adapter({ id: "p1", name: "Projection", kind: "clip-projection" }),
  ],
};

describe("engine choices from the registry", () => {
  it("offers the registry's strategies, labelled, and the paper's three until it answers", () => {
    expect(strategyChoices(registry).map((s) => s.label)).toEqual(["Image-to-image", "CLIP fusion", "CLIP fusion + LoRA"]);
    expect(strategyChoices(undefined).map((s) => s.id)).toEqual(["img2img", "clip-fusion", "clip-lora"]);
    expect(strategyChoices({ ...registry, strategies: ["img2img", "new-thing" as ModelId] })[1]).toEqual({ id: "new-thing", label: "new-thing", hint: "" });
  });

  it("offers the styles and adapters of each kind", () => {
    expect(styleChoices(registry).map((s) => s.label)).toEqual(["Pencil", "Charcoal", "Ink"]);
    expect(styleChoices({ ...registry, styles: ["pastel" as SketchStyle] })).toEqual([{ id: "pastel", label: "Pastel" }]);
    expect(adaptersOfKind(registry, "unet-lora").map((a) => a.id)).toEqual(["u1", "u2"]);
    expect(adaptersOfKind(registry, "clip-lora").map((a) => a.id)).toEqual(["c1"]);
    expect(adaptersOfKind(undefined, "clip-lora")).toEqual([]);
  });
});

describe("what is in force", () => {
  const settings = {
    strategy: "clip-lora",
    clip_adapter: { id: "c1", sha256: "x", weight: 1, config: {} },
    adapters: [{ id: "u1", sha256: "y", weight: 0.8, config: {} }, { bogus: true }],
    adapter_schedule: "ramp",
    style: "pencil",
    style_blend: { style: "ink", weight: 0.4 },
  };

  it("reads a round's settings", () => {
    expect(engineInForce(settings)).toEqual({
      strategy: "clip-lora",
      clipAdapterId: "c1",
      adapters: [{ id: "u1", weight: 0.8 }],
      schedule: "ramp",
      style: "pencil",
      blend: { style: "ink", weight: 0.4 },
    });
    expect(engineInForce(undefined)).toBe(NOTHING_IN_FORCE);
    expect(engineInForce({ adapters: "nope", style_blend: null })).toMatchObject({ adapters: [], blend: null, schedule: "constant" });
  });

  it("says it in one line", () => {
    expect(describeInForce(engineInForce(settings), registry)).toBe("CLIP fusion + LoRA · CLIP LoRA Faces CLIP · Pencil → Ink 40% · LoRA Dept pencil ×0.80 (ramp)");
    expect(describeInForce(engineInForce({ strategy: "img2img", style: "pencil" }), registry)).toBe("Image-to-image · Pencil");
    expect(describeInForce(NOTHING_IN_FORCE, registry)).toBe("");
  });
});

describe("UNet LoRA picks", () => {
  const inForce = { ...NOTHING_IN_FORCE, adapters: [{ id: "u1", weight: 0.8 }] };

  it("starts from what is in force, so ticking one keeps the others", () => {
    expect(toggleAdapter(null, inForce, "u2", true)).toEqual([{ id: "u1", weight: 0.8 }, { id: "u2", weight: 1 }]);
    expect(toggleAdapter(null, inForce, "u1", false)).toEqual([]);
    expect(toggleAdapter([{ id: "u2", weight: 0.5 }], inForce, "u2", true)).toEqual([{ id: "u2", weight: 0.5 }]);
  });

  it("sets a weight within 0–2 in steps of 0.05", () => {
    expect(setAdapterWeight(null, inForce, "u1", 0.83)).toEqual([{ id: "u1", weight: 0.85 }]);
    expect(clampWeight(7)).toBe(2);
    expect(clampWeight(-1)).toBe(0);
    expect(clampWeight(Number.NaN)).toBe(1);
    expect(clampWeight(0.1 + 0.2)).toBe(0.3);
  });

  it("knows an unchanged choice", () => {
    expect(sameAdapters([{ id: "u1", weight: 0.8 }], inForce.adapters)).toBe(true);
    expect(sameAdapters([{ id: "u1", weight: 0.9 }], inForce.adapters)).toBe(false);
    expect(sameAdapters([], inForce.adapters)).toBe(false);
  });
});

describe("what must be fixed first", () => {
  it("asks for a CLIP LoRA adapter for model 3 unless one is chosen or in force", () => {
    expect(engineProblem("img2img", "", NOTHING_IN_FORCE, registry)).toBeNull();
    expect(engineProblem("clip-lora", "", NOTHING_IN_FORCE, registry)).toMatch(/Choose the CLIP LoRA adapter/);
    expect(engineProblem("clip-lora", "c1", NOTHING_IN_FORCE, registry)).toBeNull();
    expect(engineProblem("clip-lora", "", { ...NOTHING_IN_FORCE, clipAdapterId: "c1" }, registry)).toBeNull();
    expect(engineProblem("clip-lora", "", NOTHING_IN_FORCE, { ...registry, adapters: [] })).toMatch(/registry has none/);
  });
});
