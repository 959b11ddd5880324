/**
 * Why this round may take the witness past the exposure cap: asked for when
 * the server refused a round for the cap (409) or once its warning shows. The
 * reason is sent with the round as `exposure_reason` and kept in the audit trail.
 */
export function ExposureReasonField({ value, onChange }: { value: string; onChange: (reason: string) => void }) {
  return (
    <div className="field exposure-reason">
      <label htmlFor="exposure-reason">Reason to show the witness more faces (past the cap)</label>
      <textarea
        id="exposure-reason"
        rows={2}
        value={value}
        placeholder="e.g. the witness asked to keep going; the likeness is still improving"
        onChange={(e) => onChange(e.target.value)}
      />
      <span className="field-hint">Recorded in the audit trail with the round. Leave empty to stay within the cap.</span>
    </div>
  );
}
