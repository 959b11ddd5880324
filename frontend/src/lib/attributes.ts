/**
 * The structured description: which attributes exist, how they are labelled,
 * and the rules for "not seen" / "unsure". Every value is free text, or one of
 * the two markers, or absent (not asked yet).
 */
import type { Attributes, Region } from "../api";

export const NOT_SEEN = "not_seen";
export const UNSURE = "unsure";

export type AttributePath =
  | "sex"
  | "age_range"
  | "skin_tone"
  | "build"
  | "face_shape"
  | "hair.colour"
  | "hair.length"
  | "hair.style"
  | "eyebrows"
  | "eyes"
  | "nose"
  | "mouth"
  | "jaw"
  | "facial_hair"
  | "glasses"
  | "headwear"
  | "marks"
  | "other";

export interface AttributeField {
  path: AttributePath;
  label: string;
  /** Suggestions offered while typing; any text is allowed. */
  suggestions: string[];
  placeholder?: string;
  multiline?: boolean;
}

export interface AttributeGroup {
  title: string;
  fields: AttributeField[];
}

export const ATTRIBUTE_GROUPS: AttributeGroup[] = [
  {
    title: "Overall",
    fields: [
      { path: "sex", label: "Sex", suggestions: ["male", "female"] },
      { path: "age_range", label: "Age range", suggestions: ["18-25", "25-35", "35-45", "45-55", "55-65", "over 65"], placeholder: "e.g. 30-40" },
      { path: "skin_tone", label: "Skin tone", suggestions: ["very light", "light", "medium", "olive", "brown", "dark"] },
      { path: "build", label: "Build", suggestions: ["slim", "medium", "athletic", "heavy", "stocky"] },
      { path: "face_shape", label: "Face shape", suggestions: ["oval", "round", "square", "long", "heart-shaped", "diamond"] },
    ],
  },
  {
    title: "Hair",
    fields: [
      { path: "hair.colour", label: "Hair colour", suggestions: ["black", "dark brown", "brown", "light brown", "blond", "red", "grey", "white"] },
      { path: "hair.length", label: "Hair length", suggestions: ["shaved", "very short", "short", "collar length", "shoulder length", "long"] },
      { path: "hair.style", label: "Hair style", suggestions: ["straight", "wavy", "curly", "receding", "bald", "parted left", "parted right", "swept back", "ponytail"] },
    ],
  },
  {
    title: "Features",
    fields: [
      { path: "eyebrows", label: "Eyebrows", suggestions: ["thin", "thick", "bushy", "arched", "straight", "joined"] },
      { path: "eyes", label: "Eyes", suggestions: ["small", "large", "deep-set", "wide-set", "close-set", "hooded", "narrow"] },
      { path: "nose", label: "Nose", suggestions: ["small", "large", "broad", "narrow", "hooked", "straight", "upturned", "crooked"] },
      { path: "mouth", label: "Mouth", suggestions: ["thin lips", "full lips", "wide", "small", "downturned"] },
      { path: "jaw", label: "Jaw", suggestions: ["square", "rounded", "pointed", "strong", "weak", "double chin"] },
      { path: "facial_hair", label: "Facial hair", suggestions: ["none", "stubble", "moustache", "goatee", "short beard", "full beard"] },
    ],
  },
  {
    title: "Worn and distinctive",
    fields: [
      { path: "glasses", label: "Glasses", suggestions: ["none", "thin metal frames", "thick dark frames", "rimless", "sunglasses"] },
      { path: "headwear", label: "Headwear", suggestions: ["none", "baseball cap", "beanie", "hood up", "hat"] },
      { path: "marks", label: "Scars, tattoos, marks", suggestions: [], placeholder: "e.g. scar through left eyebrow", multiline: true },
      { path: "other", label: "Other", suggestions: [], placeholder: "Anything else the witness noticed", multiline: true },
    ],
  },
];

export const ATTRIBUTE_FIELDS: AttributeField[] = ATTRIBUTE_GROUPS.flatMap((g) => g.fields);

export function fieldLabel(path: string): string {
  return ATTRIBUTE_FIELDS.find((f) => f.path === path)?.label ?? path;
}

export function getAttribute(attrs: Attributes, path: AttributePath): string {
  if (path.startsWith("hair.")) {
    const key = path.slice(5) as keyof NonNullable<Attributes["hair"]>;
    return attrs.hair?.[key] ?? "";
  }
  const value = attrs[path as Exclude<keyof Attributes, "hair">];
  return typeof value === "string" ? value : "";
}

/** Returns a new attributes object with `path` set (an empty string removes it). */
export function setAttribute(attrs: Attributes, path: AttributePath, value: string): Attributes {
  if (path.startsWith("hair.")) {
    const key = path.slice(5) as keyof NonNullable<Attributes["hair"]>;
    const hair = { ...(attrs.hair ?? {}) };
    if (value === "") delete hair[key];
    else hair[key] = value;
    const next = { ...attrs };
    if (Object.keys(hair).length) next.hair = hair;
    else delete next.hair;
    return next;
  }
  const next: Attributes = { ...attrs };
  const key = path as Exclude<keyof Attributes, "hair">;
  if (value === "") delete next[key];
  else next[key] = value;
  return next;
}

/** What the API receives: trimmed strings, no empty values, no empty hair object. */
export function cleanAttributes(attrs: Attributes): Attributes {
  let out: Attributes = {};
  for (const field of ATTRIBUTE_FIELDS) {
    const value = getAttribute(attrs, field.path).trim();
    if (value) out = setAttribute(out, field.path, value);
  }
  return out;
}

export type ValueKind = "empty" | "given" | "not_seen" | "unsure";

export function valueKind(value: string | undefined): ValueKind {
  if (!value || !value.trim()) return "empty";
  if (value === NOT_SEEN) return "not_seen";
  if (value === UNSURE) return "unsure";
  return "given";
}

export function displayValue(value: string | undefined): string {
  const kind = valueKind(value);
  if (kind === "not_seen") return "not seen";
  if (kind === "unsure") return "unsure";
  return value ?? "";
}

export interface AttributeSummary {
  given: number;
  notSeen: number;
  unsure: number;
  empty: number;
}

export function summarize(attrs: Attributes): AttributeSummary {
  const s: AttributeSummary = { given: 0, notSeen: 0, unsure: 0, empty: 0 };
  for (const field of ATTRIBUTE_FIELDS) {
    const kind = valueKind(getAttribute(attrs, field.path));
    if (kind === "given") s.given++;
    else if (kind === "not_seen") s.notSeen++;
    else if (kind === "unsure") s.unsure++;
    else s.empty++;
  }
  return s;
}

export interface AttributeChange {
  path: AttributePath;
  label: string;
  before: string;
  after: string;
}

/** Field-by-field changes between two versions' attributes. */
export function diffAttributes(before: Attributes, after: Attributes): AttributeChange[] {
  const changes: AttributeChange[] = [];
  for (const field of ATTRIBUTE_FIELDS) {
    const a = getAttribute(before, field.path);
    const b = getAttribute(after, field.path);
    if (a !== b) changes.push({ path: field.path, label: field.label, before: displayValue(a), after: displayValue(b) });
  }
  return changes;
}

export function attributesEqual(a: Attributes, b: Attributes): boolean {
  return diffAttributes(cleanAttributes(a), cleanAttributes(b)).length === 0;
}

/** Facial regions the witness can point at for a targeted change. */
export const REGIONS: { id: Region; label: string }[] = [
  { id: "eyes", label: "Eyes" },
  { id: "eyebrows", label: "Eyebrows" },
  { id: "nose", label: "Nose" },
  { id: "mouth", label: "Mouth" },
  { id: "jaw", label: "Jaw" },
  { id: "hair", label: "Hair" },
  { id: "ears", label: "Ears" },
];
