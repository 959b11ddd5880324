import { useId, useState } from "react";
import { api, type ExportPurpose } from "../api";
import { exportPurposes } from "../lib/safeguards";

/**
 * The case export (ZIP) with its purpose: the server requires one
 * (disclosure, public appeal, internal review; face-recognition search only
 * once an admin enabled it for the case) and records it in the audit and manifest.
 * `faceRecognition`: the case's enabled state; left out where the screen does not
 * know it, face-recognition is not offered there.
 */
export function ExportLink({
  caseId,
  label = "Export (ZIP)",
  primary,
  faceRecognition,
}: {
  caseId: string;
  label?: string;
  primary?: boolean;
  faceRecognition?: boolean;
}) {
  const id = useId();
  const [purpose, setPurpose] = useState<ExportPurpose | "">("");
  const cls = `btn${primary ? " btn-primary" : ""}`;
  return (
    <span className="export-link">
      <label htmlFor={id} className="sr-only">
        Export purpose
      </label>
      <select id={id} value={purpose} onChange={(e) => setPurpose(e.target.value as ExportPurpose | "")} title="What the export is for: recorded with it">
        <option value="">Purpose of the export…</option>
        {exportPurposes(faceRecognition).map((p) => (
          <option key={p.id} value={p.id} disabled={p.disabled}>
            {p.label}
          </option>
        ))}
      </select>
      {purpose ? (
        <a className={cls} href={api.exportUrl(caseId, purpose)} download>
          {label}
        </a>
      ) : (
        <button type="button" className={cls} disabled title="Choose the purpose of the export first">
          {label}
        </button>
      )}
    </span>
  );
}
