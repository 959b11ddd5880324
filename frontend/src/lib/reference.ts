/** Checks on a reference sketch or photo before it is uploaded (the server checks again, by content). */

export const REFERENCE_TYPES = ["image/png", "image/jpeg", "image/webp"] as const;
export const REFERENCE_MAX_BYTES = 20 * 1024 * 1024;

export interface FileLike {
  name: string;
  type: string;
  size: number;
}

/** A sentence saying what is wrong with the file, or null when it can be sent. */
export function referenceProblem(file: FileLike): string | null {
  const byName = /\.(png|jpe?g|webp)$/i.test(file.name);
  if (!(REFERENCE_TYPES as readonly string[]).includes(file.type) && !(file.type === "" && byName)) {
    return `${file.name || "This file"} is not a PNG, JPEG or WebP image.`;
  }
  if (file.size > REFERENCE_MAX_BYTES) {
    return `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; the limit is 20 MB. Scale it down first.`;
  }
  if (file.size === 0) return `${file.name} is empty.`;
  return null;
}
