import { api } from "../../api";
import { CandidateImage } from "../../components/CandidateImage";
import { candidateLabel, type CandidateRef } from "../../lib/roundTree";

/** In place of the refine form once the session is approved: the final composite and the export. */
export function FinalPanel({ caseId, final }: { caseId: string; final: CandidateRef | undefined }) {
  return (
    <div className="panel final-panel">
      <h2 id="refine-title" className="panel-title">
        Final composite
      </h2>
      {final ? (
        <>
          <CandidateImage src={final.candidate.image_url} alt={`Final composite ${candidateLabel(final)}`} className="final-img" />
          <p>
            Approved <strong>{candidateLabel(final)}</strong>. The session is closed; every round stays on record.
          </p>
        </>
      ) : (
        <p>The session is approved.</p>
      )}
      <a className="btn btn-primary" href={api.exportUrl(caseId)} download>
        Export case (ZIP)
      </a>
    </div>
  );
}
