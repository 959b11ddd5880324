import type { Attributes } from "../api";
import { ATTRIBUTE_FIELDS, displayValue, getAttribute, valueKind } from "../lib/attributes";

/** A recorded description's attributes, read-only; "not asked" fields are left out. */
export function AttributesView({ attributes }: { attributes: Attributes }) {
  const rows = ATTRIBUTE_FIELDS.map((f) => ({ f, v: getAttribute(attributes ?? {}, f.path) })).filter((r) => r.v);
  if (!rows.length) return <p className="muted small">No structured attributes recorded.</p>;
  return (
    <dl className="attr-view">
      {rows.map(({ f, v }) => (
        <div key={f.path} className={`attr-view-${valueKind(v)}`}>
          <dt>{f.label}</dt>
          <dd>{displayValue(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
