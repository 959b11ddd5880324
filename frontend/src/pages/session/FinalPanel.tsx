import type { Session } from "../../api";
import { CandidateImage } from "../../components/CandidateImage";
import { CompositeNotice } from "../../components/CompositeNotice";
import { ExportLink } from "../../components/ExportLink";
import { candidateLabel, type CandidateRef } from "../../lib/roundTree";

/** In place of the refine form once the session is approved: the final composite, the witness's words and the export. */
export function FinalPanel({ session, final }: { session: Session; final: CandidateRef | undefined }) {
  return (
    <div className="panel final-panel">
      <h2 id="refine-title" className="panel-title">
        Final composite
      </h2>
      {final ? (
        <>
          <CandidateImage src={final.candidate.image_url} alt={`Final composite ${candidateLabel(final)}`} className="final-img" />
          <CompositeNotice imageUrl={final.candidate.image_url} download={`the final composite ${candidateLabel(final)}`} />
          <p>
            Approved <strong>{candidateLabel(final)}</strong>. The session is closed; every round stays on record.
          </p>
        </>
      ) : (
        <p>The session is approved.</p>
      )}
      {session.approval_statement && (
        <blockquote className="approved-statement" aria-label="The witness's words">
          {session.approval_statement}
        </blockquote>
      )}
      {typeof session.approval_confidence === "number" && <p className="small">Witness's confidence: {session.approval_confidence}/10</p>}
      <ExportLink caseId={session.case_id} label="Export case (ZIP)" primary />
    </div>
  );
}
