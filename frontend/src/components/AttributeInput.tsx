import { useId } from "react";
import { NOT_SEEN, UNSURE, valueKind, type AttributeField } from "../lib/attributes";

/**
 * One structured attribute: free text with suggestions, and "not seen" / "unsure"
 * toggles, so the record shows the difference between "didn't see it" and "not asked".
 */
export function AttributeInput({ field, value, onChange, readOnly }: { field: AttributeField; value: string; onChange: (value: string) => void; readOnly?: boolean }) {
  const id = useId();
  const kind = valueKind(value);
  const marker = kind === "not_seen" || kind === "unsure";
  const listId = field.suggestions.length ? `${id}-list` : undefined;
  const toggle = (m: string) => onChange(value === m ? "" : m);
  const common = {
    id,
    value: marker ? "" : value,
    placeholder: kind === "not_seen" ? "Not seen" : kind === "unsure" ? "Unsure" : field.placeholder ?? "",
    readOnly,
    "aria-describedby": marker ? `${id}-state` : undefined,
  };
  return (
    <div className={`attr attr-${kind}`}>
      <label htmlFor={id}>{field.label}</label>
      <div className="attr-row">
        {field.multiline ? (
          <textarea {...common} rows={2} onChange={(e) => onChange(e.target.value)} />
        ) : (
          <input {...common} type="text" list={listId} autoComplete="off" onChange={(e) => onChange(e.target.value)} />
        )}
        <div className="attr-toggles" role="group" aria-label={`${field.label}: certainty`}>
          <button type="button" className="chip" aria-pressed={kind === "not_seen"} aria-label={`${field.label}: not seen`} disabled={readOnly} onClick={() => toggle(NOT_SEEN)}>
            Not seen
          </button>
          <button type="button" className="chip" aria-pressed={kind === "unsure"} aria-label={`${field.label}: unsure`} disabled={readOnly} onClick={() => toggle(UNSURE)}>
            Unsure
          </button>
        </div>
      </div>
      {marker && (
        <span id={`${id}-state`} className="sr-only">
          Marked {kind === "not_seen" ? "not seen" : "unsure"}
        </span>
      )}
      {listId && (
        <datalist id={listId}>
          {field.suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      )}
    </div>
  );
}
