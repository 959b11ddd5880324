import { useState } from "react";
import { api, type ReferenceUpload } from "../api";
import { isAdmin, useAuth } from "../auth";
import { useResource } from "../hooks";
import { formatDateTime, plural } from "../lib/format";
import { matchLabel, matchWording, releaseNeeded } from "../lib/safeguards";
import { CandidateImage } from "./CandidateImage";
import { ReasonDialog } from "./ReasonDialog";
import { Badge, ErrorNotice, Loading } from "./ui";
import "./caseSafeguards.css";

/**
 * The case's reference uploads (GET /api/cases/{id}/uploads). One that matches a face
 * drawn for another witness is refused as a round's reference until an admin releases
 * it with a reason; this is where the admin does that and everyone sees why.
 */
export function ReferenceUploads({ caseId }: { caseId: string }) {
  const uploads = useResource((signal) => api.listUploads(caseId, signal), caseId);
  const list = uploads.data;
  return (
    <section aria-labelledby="uploads-title" className="section">
      <div className="section-head">
        <h2 id="uploads-title">Reference uploads</h2>
        {list && <span className="muted">{plural(list.length, "upload")}</span>}
      </div>
      <ErrorNotice error={uploads.error} title="Could not load the reference uploads" onRetry={uploads.reload} />
      {!list ? (
        !uploads.error && <Loading what="the reference uploads" />
      ) : list.length === 0 ? (
        <p className="muted small">None yet. Sketches and photos uploaded for a round to start from are listed here.</p>
      ) : (
        <ul className="upload-list">
          {list.map((u) => (
            <UploadItem key={u.id} caseId={caseId} upload={u} onReleased={uploads.reload} />
          ))}
        </ul>
      )}
    </section>
  );
}

function UploadItem({ caseId, upload, onReleased }: { caseId: string; upload: ReferenceUpload; onReleased: () => void }) {
  const { user } = useAuth();
  const [releasing, setReleasing] = useState(false);
  const when = formatDateTime(upload.created_at);
  const { match, released } = upload;
  return (
    <li className="upload-item" aria-label={`Reference upload of ${when}`}>
      <CandidateImage src={upload.image_url} alt={`Reference upload of ${when}`} className="upload-thumb" />
      <div className="upload-body">
        <p className="upload-head">
          <strong>Uploaded {when}</strong>
          <span className="muted small">
            {upload.width}×{upload.height} px
          </span>
          {released ? <Badge tone="success">Released</Badge> : match && <Badge tone="danger">Matches another witness's face</Badge>}
        </p>
        {match && (
          <div className={`notice notice-compact ${released ? "notice-info" : "notice-warning"} upload-match`} data-testid="upload-match">
            <div className="notice-body">
              <span>{matchWording(match, caseId)}</span>
              {!released && <span>One witness's composites must not be shown to another: it is refused as a reference.</span>}
            </div>
          </div>
        )}
        {released ? (
          <p className="upload-released" data-testid="upload-released">
            Released by {released.by ?? "an admin"} on {formatDateTime(released.at)}: <q>{released.reason}</q>
          </p>
        ) : (
          match &&
          (isAdmin(user) ? (
            <div className="form-actions">
              <button type="button" className="btn btn-small" onClick={() => setReleasing(true)} aria-label={`Release the upload of ${when}…`}>
                Release…
              </button>
            </div>
          ) : (
            <p className="muted small">{releaseNeeded(match, caseId)}</p>
          ))
        )}
      </div>
      {releasing && match && (
        <ReasonDialog
          title="Release this upload?"
          submitLabel="Release upload"
          onSubmit={(reason) => api.releaseUpload(caseId, upload.id, reason)}
          onDone={() => {
            setReleasing(false);
            onReleased();
          }}
          onClose={() => setReleasing(false)}
        >
          <div className="release-pick">
            <CandidateImage src={upload.image_url} alt={`Reference upload of ${when}`} className="upload-thumb" />
            <p>
              {matchWording(match, caseId)} Released, it may be used as a reference for any witness, although it looks like {matchLabel(match)}. Say why that
              is safe; the reason is kept with the upload and in the audit trail.
            </p>
          </div>
        </ReasonDialog>
      )}
    </li>
  );
}
