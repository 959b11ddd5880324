import { useState } from "react";
import { api, type FaceRecognitionState } from "../api";
import { isAdmin, useAuth } from "../auth";
import { formatDateTime } from "../lib/format";
import { ReasonDialog } from "./ReasonDialog";
import { Badge } from "./ui";
import "./caseSafeguards.css";

/**
 * Whether this case's composites may be exported for face-recognition search. Off until an
 * admin allows it with a reason (POST /api/cases/{id}/face-recognition); everyone sees the state.
 */
export function FaceRecognitionPanel({
  caseId,
  reference,
  state,
  onChanged,
  compact,
}: {
  caseId: string;
  reference: string;
  state: FaceRecognitionState;
  onChanged: () => void;
  /** One line, without the explanation (the audit page, beside the export). */
  compact?: boolean;
}) {
  const { user } = useAuth();
  const [open, setOpen] = useState(false);
  return (
    <section
      className={compact ? "face-recognition-compact" : "panel face-recognition-panel"}
      aria-labelledby={`fr-title-${caseId}`}
      data-testid="face-recognition"
    >
      <div className="panel-head">
        <h2 id={`fr-title-${caseId}`} className="panel-title">
          Face-recognition search
        </h2>
        {state.enabled ? <Badge tone="warning">Allowed</Badge> : <Badge>Not allowed</Badge>}
      </div>
      {state.enabled ? (
        <p className="small" data-testid="face-recognition-state">
          Allowed by {state.by ?? "an admin"} on {formatDateTime(state.at)}: <q>{state.reason}</q>. Exports of {reference} may name the purpose
          face-recognition search.
        </p>
      ) : compact ? null : (
        <p className="small muted" data-testid="face-recognition-state">
          A composite is an artist's impression, not a photograph: exports for face-recognition search are refused until an admin allows them for this case
          with a reason{isAdmin(user) ? "." : ". Ask an admin if this case needs it."}
        </p>
      )}
      {isAdmin(user) && !state.enabled && (
        <div className="form-actions">
          <button type="button" className="btn btn-small" onClick={() => setOpen(true)}>
            Allow face-recognition search…
          </button>
        </div>
      )}
      {open && (
        <ReasonDialog
          title={`Allow face-recognition search for ${reference}?`}
          submitLabel="Allow face-recognition search"
          onSubmit={(reason) => api.enableFaceRecognition(caseId, reason)}
          onDone={() => {
            setOpen(false);
            onChanged();
          }}
          onClose={() => setOpen(false)}
        >
          <p>
            Exports of this case may then name the purpose face-recognition search. Each package still says its composites are not photographs and are not for
            automated face-recognition search; the reason you give is recorded with the case, in the audit trail and in every such export.
          </p>
        </ReasonDialog>
      )}
    </section>
  );
}
