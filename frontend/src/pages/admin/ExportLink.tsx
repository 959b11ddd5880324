import { useState } from "react";

/** The purposes any export may name; face-recognition needs an admin's recorded reason on the case page. */
export const EXPORT_PURPOSES = [
  { id: "disclosure", label: "Disclosure" },
  { id: "public-appeal", label: "Public appeal" },
  { id: "internal-review", label: "Internal review" },
] as const;
export type ExportPurpose = (typeof EXPORT_PURPOSES)[number]["id"];

export function exportHref(caseId: string, purpose: ExportPurpose): string {
  return `/api/cases/${encodeURIComponent(caseId)}/export?purpose=${encodeURIComponent(purpose)}`;
}

/** A case's evidence package (ZIP); the server records the purpose in the package and the audit trail. */
export function ExportLink({ caseId, reference }: { caseId: string; reference: string }) {
  const [purpose, setPurpose] = useState<ExportPurpose>("internal-review");
  return (
    <div className="export-link">
      <div className="field">
        <label htmlFor="export-purpose">Export purpose</label>
        <select id="export-purpose" value={purpose} onChange={(e) => setPurpose(e.target.value as ExportPurpose)}>
          {EXPORT_PURPOSES.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </div>
      <a className="btn" href={exportHref(caseId, purpose)} download>
        Export {reference} (ZIP)
      </a>
    </div>
  );
}
