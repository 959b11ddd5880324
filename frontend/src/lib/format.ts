/** Dates and small words for people. */

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** 1536 → "1.5 KB", 3 × 1024² → "3.0 MB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "—";
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : "—";
}

/** "img2img" → "Img2Img (refine the pick)" and friends, for the model picker. */
export const MODEL_CHOICES: { id: "img2img" | "clip-fusion" | "clip-lora" | "evolve"; label: string; hint: string }[] = [
  { id: "img2img", label: "Image-to-image", hint: "Model 1: redraws the pick with the updated prompt (strength 0.3)." },
  { id: "clip-fusion", label: "CLIP fusion", hint: "Model 2: blends the words and the pick's CLIP image embedding." },
  { id: "clip-lora", label: "CLIP fusion + LoRA", hint: "Model 3: CLIP fusion with the LoRA-tuned CLIP encoder." },
  { id: "evolve", label: "Evolve (arrays)", hint: "Arrays of 9–18 faces; the witness picks and rates up to three, bred into the next array." },
];

export function modelLabel(id: string | null | undefined): string {
  if (!id) return "—";
  return MODEL_CHOICES.find((m) => m.id === id)?.label ?? id;
}
