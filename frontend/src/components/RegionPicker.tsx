import type { Region } from "../api";
import { REGIONS } from "../lib/attributes";

/** Which facial region the next round should change ("" = the whole face). */
export function RegionPicker({ value, onChange, large, disabled }: { value: "" | Region; onChange: (v: "" | Region) => void; large?: boolean; disabled?: boolean }) {
  return (
    <div className={`region-picker${large ? " region-large" : ""}`} role="group" aria-label="Region to change" aria-disabled={disabled || undefined}>
      <button type="button" className="chip" aria-pressed={value === ""} disabled={disabled} onClick={() => onChange("")}>
        Whole face
      </button>
      {REGIONS.map((r) => (
        <button key={r.id} type="button" className="chip" aria-pressed={value === r.id} disabled={disabled} onClick={() => onChange(value === r.id ? "" : r.id)}>
          {r.label}
        </button>
      ))}
    </div>
  );
}
