import { useId } from "react";

/** A 0–10 likeness rating as a row of buttons (a radio group), large enough for a witness. */
export function RatingInput({ value, onChange, label = "How close is it?", large }: { value: number | null; onChange: (v: number) => void; label?: string; large?: boolean }) {
  const id = useId();
  return (
    <div className={`rating${large ? " rating-large" : ""}`}>
      <span id={id} className="rating-label">
        {label}
      </span>
      <div className="rating-scale" role="radiogroup" aria-labelledby={id}>
        {Array.from({ length: 11 }, (_, n) => (
          <button
            key={n}
            type="button"
            role="radio"
            aria-checked={value === n}
            aria-label={`Rating ${n} of 10`}
            className={`rating-btn${value === n ? " is-on" : ""}`}
            onClick={() => onChange(n)}
          >
            {n}
          </button>
        ))}
      </div>
      <div className="rating-ends muted small" aria-hidden="true">
        <span>not like them</span>
        <span>exactly them</span>
      </div>
    </div>
  );
}
