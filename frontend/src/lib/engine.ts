/**
 * The engine controls of the next round, from the model registry (GET /api/models):
 * which strategy draws it, which adapters ride along, and in which style.
 *
 * The server keeps these settings "sticky": once chosen they hold for later rounds
 * until changed. So the controls start from what is in force (read from the newest
 * round's settings) and only what the artist changes is sent.
 */
import type { Adapter, AdapterChoice, AdapterSchedule, Registry } from "../api";
import { MODEL_CHOICES } from "./format";

export const STRATEGY_IDS = ["img2img", "clip-fusion", "clip-lora"] as const;
export type StrategyId = (typeof STRATEGY_IDS)[number];

export interface StrategyChoice {
  id: string;
  label: string;
  hint: string;
}

/** The models to offer: the registry's strategies (in its order), labelled; the paper's three until it answers. */
export function strategyChoices(registry: Registry | undefined): StrategyChoice[] {
  const ids = registry?.strategies?.length ? registry.strategies : [...STRATEGY_IDS];
  return ids.map((id) => {
    const known = MODEL_CHOICES.find((m) => m.id === id);
    return known ? { id, label: known.label, hint: known.hint } : { id, label: id, hint: "" };
  });
}

export function adaptersOfKind(registry: Registry | undefined, kind: string): Adapter[] {
  return (registry?.adapters ?? []).filter((a) => a.kind === kind);
}

const STYLE_LABELS: Record<string, string> = { pencil: "Pencil", charcoal: "Charcoal", ink: "Ink" };

export function styleLabel(style: string): string {
  return STYLE_LABELS[style] ?? style.charAt(0).toUpperCase() + style.slice(1);
}

/** The styles to offer: the registry's, or the house three until it answers. */
export function styleChoices(registry: Registry | undefined): { id: string; label: string }[] {
  const ids = registry?.styles?.length ? registry.styles : Object.keys(STYLE_LABELS);
  return ids.map((id) => ({ id, label: styleLabel(id) }));
}

// ---------------------------------------------------------------- what is in force

export interface EngineInForce {
  strategy: string | null;
  clipAdapterId: string | null;
  adapters: AdapterChoice[];
  schedule: AdapterSchedule;
  style: string | null;
  /** The style blended toward and how far (0–1), if any. */
  blend: { style: string; weight: number } | null;
}

export const NOTHING_IN_FORCE: EngineInForce = {
  strategy: null,
  clipAdapterId: null,
  adapters: [],
  schedule: "constant",
  style: null,
  blend: null,
};

function record(value: unknown): Record<string, unknown> | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function finite(value: unknown, fallback: number): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : fallback;
}

/** Reads a round's `settings` (its generation spec without prompts and seeds). */
export function engineInForce(settings: Record<string, unknown> | null | undefined): EngineInForce {
  if (!settings) return NOTHING_IN_FORCE;
  const clip = record(settings.clip_adapter);
  const adapters = Array.isArray(settings.adapters)
    ? settings.adapters
        .map(record)
        .filter((a): a is Record<string, unknown> => !!a && typeof a.id === "string")
        .map((a) => ({ id: String(a.id), weight: finite(a.weight, 1) }))
    : [];
  const blend = record(settings.style_blend);
  return {
    strategy: typeof settings.strategy === "string" ? settings.strategy : null,
    clipAdapterId: clip && typeof clip.id === "string" ? clip.id : null,
    adapters,
    schedule: settings.adapter_schedule === "ramp" ? "ramp" : "constant",
    style: typeof settings.style === "string" ? settings.style : null,
    blend: blend && typeof blend.style === "string" ? { style: blend.style, weight: finite(blend.weight, 0) } : null,
  };
}

/** One line for the artist: "Image-to-image · Pencil → Ink 40% · LoRA Dept style ×0.8 (ramp)". */
export function describeInForce(f: EngineInForce, registry: Registry | undefined): string {
  const parts: string[] = [];
  if (f.strategy) parts.push(strategyChoices(registry).find((s) => s.id === f.strategy)?.label ?? f.strategy);
  const name = (id: string) => registry?.adapters.find((a) => a.id === id)?.name ?? `adapter ${id.slice(0, 8)}`;
  if (f.strategy === "clip-lora" && f.clipAdapterId) parts.push(`CLIP LoRA ${name(f.clipAdapterId)}`);
  if (f.style) {
    parts.push(f.blend && f.blend.weight > 0 ? `${styleLabel(f.style)} → ${styleLabel(f.blend.style)} ${Math.round(f.blend.weight * 100)}%` : styleLabel(f.style));
  }
  if (f.adapters.length) {
    const list = f.adapters.map((a) => `${name(a.id)} ×${formatWeight(a.weight)}`).join(", ");
    parts.push(`LoRA ${list}${f.schedule === "ramp" ? " (ramp)" : ""}`);
  }
  return parts.join(" · ");
}

// ---------------------------------------------------------------- the UNet LoRA picks

export const WEIGHT_MIN = 0;
export const WEIGHT_MAX = 2;
export const WEIGHT_STEP = 0.05;
export const DEFAULT_WEIGHT = 1;

export function clampWeight(weight: number): number {
  if (!Number.isFinite(weight)) return DEFAULT_WEIGHT;
  const stepped = Math.round(Math.min(WEIGHT_MAX, Math.max(WEIGHT_MIN, weight)) / WEIGHT_STEP) * WEIGHT_STEP;
  return Math.round(stepped * 100) / 100;
}

export function formatWeight(weight: number): string {
  return (Math.round(weight * 100) / 100).toFixed(2);
}

/** The adapters the next round will use: the artist's choice once made (null = keep what is in force). */
export function effectiveAdapters(choice: AdapterChoice[] | null, inForce: EngineInForce): AdapterChoice[] {
  return choice ?? inForce.adapters;
}

/** Ticks or unticks one adapter, starting from what is in force so the others stay as they are. */
export function toggleAdapter(choice: AdapterChoice[] | null, inForce: EngineInForce, id: string, on: boolean): AdapterChoice[] {
  const current = effectiveAdapters(choice, inForce);
  if (!on) return current.filter((a) => a.id !== id);
  if (current.some((a) => a.id === id)) return current;
  return [...current, { id, weight: DEFAULT_WEIGHT }];
}

export function setAdapterWeight(choice: AdapterChoice[] | null, inForce: EngineInForce, id: string, weight: number): AdapterChoice[] {
  return effectiveAdapters(choice, inForce).map((a) => (a.id === id ? { ...a, weight: clampWeight(weight) } : a));
}

/** True when the choice is the same as what is in force (nothing to send). */
export function sameAdapters(a: AdapterChoice[], b: AdapterChoice[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) => b.some((y) => y.id === x.id && Math.abs(y.weight - x.weight) < 1e-9));
}

/**
 * What must be fixed before the round can be drawn, in a sentence; null when nothing.
 * Model 3 needs a CLIP LoRA adapter: one chosen now, or one already in force.
 */
export function engineProblem(model: string, clipAdapterId: string, inForce: EngineInForce, registry: Registry | undefined): string | null {
  if (model !== "clip-lora") return null;
  if (clipAdapterId || inForce.clipAdapterId) return null;
  if (registry && adaptersOfKind(registry, "clip-lora").length === 0) {
    return "CLIP fusion + LoRA needs a CLIP LoRA adapter, and the model registry has none. Choose another model, or ask an admin to import one.";
  }
  return "Choose the CLIP LoRA adapter for CLIP fusion + LoRA.";
}
