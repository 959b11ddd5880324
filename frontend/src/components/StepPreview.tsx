import { useEffect, useState } from "react";
import { previewOf, type ProgressLike } from "../lib/progress";

/**
 * The newest per-step preview of a running round (the whole batch, side by side),
 * labelled "Preview, step N of M". A new step's picture replaces the last one only
 * once it has loaded, so the preview never blinks; nothing shows once the round ends.
 */
export function StepPreview({ progress }: { progress: ProgressLike | null }) {
  const next = previewOf(progress);
  const [shown, setShown] = useState<{ url: string; caption: string } | null>(null);
  const nextUrl = next?.url ?? null;
  const nextCaption = next?.caption ?? "";
  useEffect(() => {
    if (!nextUrl) {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- no step yet: nothing to show (the effect owns the image load)
      setShown(null);
      return;
    }
    let live = true;
    const img = new Image();
    img.onload = () => live && setShown({ url: nextUrl, caption: nextCaption });
    img.src = nextUrl;
    return () => {
      live = false;
      img.onload = null;
    };
  }, [nextUrl, nextCaption]);
  if (!next || !shown) return null;
  return (
    <figure className="step-preview" data-testid="step-preview">
      <img src={shown.url} alt={shown.caption} />
      <figcaption aria-hidden="true">
        <strong>{shown.caption}</strong> <span className="muted small">· a rough look while it draws, not the final faces</span>
      </figcaption>
    </figure>
  );
}
