import { useState } from "react";
import type { ApiError } from "../../api";
import { Dialog, ErrorNotice, KeyHint } from "../../components/ui";
import { CandidateImage } from "../../components/CandidateImage";
import { CompositeNotice } from "../../components/CompositeNotice";
import { RatingInput } from "../../components/RatingInput";
import { MaskPainter } from "../../components/MaskPainter";
import type { MaskCanvas } from "../../lib/mask";
import { candidateLabel, type CandidateRef } from "../../lib/roundTree";
import { SHORTCUT_HELP } from "../../lib/shortcuts";

/** Paint the area of the pick that the next round may change. */
export function MaskDialog({ picked, mask, onDone, onClose }: { picked: CandidateRef; mask: MaskCanvas | null; onDone: (mask: MaskCanvas | null) => void; onClose: () => void }) {
  return (
    <Dialog title={`Paint the area to change on ${candidateLabel(picked)}`} onClose={onClose} wide>
      <MaskPainter imageUrl={picked.candidate.image_url} initial={mask} onCancel={onClose} onDone={onDone} />
    </Dialog>
  );
}

/** Confirms the final composite with the witness's own words and confidence: the session closes for good. */
export function ApproveDialog({
  picked,
  onApprove,
  pending,
  error,
  onClose,
}: {
  picked: CandidateRef;
  onApprove: (statement: string, confidence: number) => void;
  pending: boolean;
  error: ApiError | null;
  onClose: () => void;
}) {
  const [statement, setStatement] = useState("");
  const [confidence, setConfidence] = useState<number | null>(null);
  const missing = !statement.trim() ? "Write down the witness's words about the likeness." : confidence === null ? "Choose the witness's confidence (0–10)." : null;
  return (
    <Dialog title="Approve the final composite?" onClose={onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (!missing && confidence !== null) onApprove(statement, confidence);
        }}
      >
        <div className="approve-pick">
          <CandidateImage src={picked.candidate.image_url} alt={`Candidate ${candidateLabel(picked)} to approve`} className="approve-img" />
          <CompositeNotice />
        </div>
        <p>
          <strong>{candidateLabel(picked)}</strong> becomes the composite for this witness. The session closes and no further rounds can be drawn.
          This is recorded in the audit trail.
        </p>
        <div className="field">
          <label htmlFor="approve-statement">The witness's words about the likeness (verbatim)</label>
          <textarea
            id="approve-statement"
            rows={3}
            value={statement}
            placeholder="Write exactly what the witness says, e.g. “That's very like him, but his eyes were darker.”"
            onChange={(e) => setStatement(e.target.value)}
          />
        </div>
        <RatingInput value={confidence} onChange={setConfidence} label="The witness's confidence in the likeness (0–10)" />
        <ErrorNotice error={error} title="Not approved" compact />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={pending || !!missing} title={missing ?? undefined}>
            {pending ? "Approving…" : "Approve final composite"}
          </button>
          <button type="button" className="btn btn-quiet" onClick={onClose}>
            Cancel
          </button>
          {missing && <span className="muted small">{missing}</span>}
        </div>
      </form>
    </Dialog>
  );
}

/** Every keyboard shortcut of the session page. */
export function ShortcutHelpDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcut-table">
        <tbody>
          {SHORTCUT_HELP.map((s) => (
            <tr key={s.keys}>
              <th scope="row">
                <KeyHint>{s.keys}</KeyHint>
              </th>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
