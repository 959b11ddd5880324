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
      {imageUrl && download && (
        <a
          className="composite-download"
          href={downloadUrl(imageUrl)}
          download
          onClick={(e) => e.stopPropagation()}
          aria-label={`Download ${download}, labelled as a composite`}
          title="Download, with the composite label under the picture"
        >
          Download
        </a>
      )}
    </span>
  );
}

/** The badge of a candidate that the server's check finds photographic. */
export function PhotographicBadge() {
  return (
    <span className="badge badge-danger" title="This candidate looks like a photograph (colour or tone): check it before the witness sees it">
      looks photographic
    </span>
  );
}
