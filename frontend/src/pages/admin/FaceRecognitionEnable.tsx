import { useState } from "react";
import { api } from "../../api";
import { useAction } from "../../hooks";
import { ErrorNotice } from "../../components/ui";

/**
 * Admin: allow `purpose=face-recognition` exports of one case. Off by default;
 * the reason is recorded (POST /api/cases/{id}/face-recognition).
 */
export function FaceRecognitionEnable({ caseId, reference }: { caseId: string; reference: string }) {
  const [reason, setReason] = useState("");
  const [done, setDone] = useState(false);
  const enable = useAction(async () => {
    await api.enableFaceRecognition(caseId, reason.trim());
    setDone(true);
  });
  return (
    <details className="face-recognition">
      <summary>Allow face-recognition search exports of {reference}…</summary>
      {done ? (
        <p className="small" role="status">
          Face-recognition exports are allowed for {reference}; the reason is in the audit trail.
        </p>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void enable.run();
          }}
        >
          <p className="muted small">A composite is not a photograph: searching face-recognition systems with it is refused unless you record why.</p>
          <div className="field">
            <label htmlFor={`fr-reason-${caseId}`}>Reason (recorded)</label>
            <textarea id={`fr-reason-${caseId}`} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <ErrorNotice error={enable.error} title="Not allowed" onDismiss={enable.clearError} compact />
          <div className="form-actions">
            <button type="submit" className="btn" disabled={!reason.trim() || enable.pending}>
              Allow face-recognition exports
            </button>
          </div>
        </form>
      )}
    </details>
  );
}
