import { COMPOSITE_NOTICE, downloadUrl } from "../lib/safeguards";

/**
 * "Composite — not a photograph", shown beside a composite (never burned into
 * the on-screen picture: the evidence bytes stay as stored). With `download`,
 * a link to the labelled copy the server makes (caption band + PNG text chunk).
 */
export function CompositeNotice({ imageUrl, download, compact }: { imageUrl?: string; download?: string; compact?: boolean }) {
  return (
    <span className={`composite-notice${compact ? " composite-notice-compact" : ""}`} data-testid="composite-notice">
      <span>{COMPOSITE_NOTICE}</span>
      {imageUrl && download && <DownloadLink imageUrl={imageUrl} what={download} text={compact ? "↓" : "Download"} />}
    </span>
  );
}

/** The labelled copy of a composite, for saving: the server adds the caption band and `likeness:notice`. */
export function DownloadLink({ imageUrl, what, text = "↓", overlay }: { imageUrl: string; what: string; text?: string; overlay?: boolean }) {
  return (
    <a
      className={`composite-download${text === "↓" ? " composite-download-icon" : ""}${overlay ? " download-overlay" : ""}`}
      href={downloadUrl(imageUrl)}
      download
      onClick={(e) => e.stopPropagation()}
      aria-label={`Download ${what}, labelled as a composite`}
      title="Download, with the composite label under the picture"
    >
      {text}
    </a>
  );
}

/** The flag on a candidate that the server's check finds photographic; `overlay` sits on the picture's corner. */
export function PhotographicBadge({ overlay }: { overlay?: boolean }) {
  return (
    <span
      className={`badge badge-danger${overlay ? " photo-flag" : ""}`}
      title="This candidate looks like a photograph (colour or tone): check it before the witness sees it"
    >
      looks photographic
    </span>
  );
}
