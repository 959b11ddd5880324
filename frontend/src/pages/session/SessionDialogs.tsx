import type { ApiError } from "../../api";
import { Dialog, ErrorNotice, KeyHint } from "../../components/ui";
import { CandidateImage } from "../../components/CandidateImage";
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

/** Confirms the final composite: the session closes for good. */
export function ApproveDialog({
  picked,
  onApprove,
  pending,
  error,
  onClose,
}: {
  picked: CandidateRef;
  onApprove: () => void;
  pending: boolean;
  error: ApiError | null;
  onClose: () => void;
}) {
  return (
    <Dialog title="Approve the final composite?" onClose={onClose}>
      <div className="stack">
        <CandidateImage src={picked.candidate.image_url} alt={`Candidate ${candidateLabel(picked)} to approve`} className="approve-img" />
        <p>
          <strong>{candidateLabel(picked)}</strong> becomes the composite for this witness. The session closes and no further rounds can be drawn.
          This is recorded in the audit trail.
        </p>
        <ErrorNotice error={error} title="Not approved" compact />
        <div className="form-actions">
          <button type="button" className="btn btn-primary" onClick={onApprove} disabled={pending}>
            {pending ? "Approving…" : "Approve final composite"}
          </button>
          <button type="button" className="btn btn-quiet" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
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
