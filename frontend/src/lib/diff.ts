/**
 * Word-level diff between two versions of a description, for showing what a
 * witness changed. Whitespace is kept as its own token so the output reads back
 * exactly as the text was typed.
 */

export type DiffKind = "same" | "added" | "removed";

export interface DiffPart {
  kind: DiffKind;
  text: string;
}

export function tokenize(text: string): string[] {
  return text.match(/\s+|[^\s]+/g) ?? [];
}

/** Longest-common-subsequence diff over word tokens, merged into runs. */
export function diffWords(before: string, after: string): DiffPart[] {
  const a = tokenize(before);
  const b = tokenize(after);
  // Trim a common prefix and suffix: most edits are local, and this keeps the table small.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  const table: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = midA[i] === midB[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const parts: DiffPart[] = [];
  const push = (kind: DiffKind, text: string) => {
    const last = parts[parts.length - 1];
    if (last && last.kind === kind) last.text += text;
    else if (text) parts.push({ kind, text });
  };
  push("same", a.slice(0, start).join(""));
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (midA[i] === midB[j]) {
      push("same", midA[i]!);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) {
      push("removed", midA[i]!);
      i++;
    } else {
      push("added", midB[j]!);
      j++;
    }
  }
  while (i < n) push("removed", midA[i++]!);
  while (j < m) push("added", midB[j++]!);
  push("same", a.slice(endA).join(""));
  return groupChanges(parts);
}

/**
 * Reads better as "~~a b c~~ x y z" than "~~a~~x ~~b~~y ~~c~~z": whitespace that
 * only separates changes joins them into one removed run and one added run.
 */
function groupChanges(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  let removed = "";
  let added = "";
  const flush = () => {
    if (removed) out.push({ kind: "removed", text: removed });
    if (added) out.push({ kind: "added", text: added });
    removed = "";
    added = "";
  };
  parts.forEach((p, i) => {
    const inChange = removed !== "" || added !== "";
    const next = parts[i + 1];
    if (p.kind === "removed") removed += p.text;
    else if (p.kind === "added") added += p.text;
    else if (inChange && /^\s+$/.test(p.text) && next && next.kind !== "same") {
      removed += p.text;
      added += p.text;
    } else {
      flush();
      const last = out[out.length - 1];
      if (last && last.kind === "same") last.text += p.text;
      else out.push({ ...p });
    }
  });
  flush();
  return out;
}

export function hasChanges(parts: DiffPart[]): boolean {
  return parts.some((p) => p.kind !== "same");
}
