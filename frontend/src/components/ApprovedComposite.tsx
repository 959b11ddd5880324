import { api } from "../api";
import { useResource } from "../hooks";
import { indexCandidates, candidateLabel } from "../lib/roundTree";
import { CandidateImage } from "./CandidateImage";
import { CompositeNotice } from "./CompositeNotice";

/** The approved composite of a session, as the case page shows it: the picture, its label, the witness's words. */
export function ApprovedComposite({ sessionId }: { sessionId: string }) {
  const session = useResource((signal) => api.getSession(sessionId, signal), sessionId);
  const s = session.data;
  const final = s?.final_candidate_id ? indexCandidates(s.rounds).get(s.final_candidate_id) : undefined;
  if (!final || !s) return null;
  const label = candidateLabel(final);
  return (
    <figure className="approved-composite" data-testid="approved-composite">
      <CandidateImage src={final.candidate.image_url} alt={`Approved composite ${label}`} className="approved-composite-img" />
      <figcaption>
        <strong>Approved composite {label}</strong>
        <CompositeNotice imageUrl={final.candidate.image_url} download={`the approved composite ${label}`} />
        {s.approval_statement && <q className="approved-statement">{s.approval_statement}</q>}
        {typeof s.approval_confidence === "number" && <span className="muted small">Witness's confidence: {s.approval_confidence}/10</span>}
      </figcaption>
    </figure>
  );
}
