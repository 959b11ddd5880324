import type { Attributes } from "../api";
import { ATTRIBUTE_GROUPS, getAttribute, setAttribute, summarize } from "../lib/attributes";
import { AttributeInput } from "./AttributeInput";

export function AttributesForm({ value, onChange }: { value: Attributes; onChange: (next: Attributes) => void }) {
  const s = summarize(value);
  return (
    <div className="attributes-form">
      <p className="muted small attr-summary" aria-live="polite">
        {s.given} described · {s.notSeen} not seen · {s.unsure} unsure · {s.empty} not asked
      </p>
      {ATTRIBUTE_GROUPS.map((group) => (
        <fieldset key={group.title} className="attr-group">
          <legend>{group.title}</legend>
          <div className="attr-grid">
            {group.fields.map((field) => (
              <AttributeInput key={field.path} field={field} value={getAttribute(value, field.path)} onChange={(v) => onChange(setAttribute(value, field.path, v))} />
            ))}
          </div>
        </fieldset>
      ))}
    </div>
  );
}
