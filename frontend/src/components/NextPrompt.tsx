import { useEffect, useState } from "react";
import { api, type PromptPreview } from "../api";
import { useDebounced } from "../hooks";
import type { Working } from "../lib/working";
import { TokenMeter } from "./TokenMeter";

/** The prompt the next round will be drawn with, built by the server from the working description as edited. */
export function NextPrompt({ working }: { working: Working }) {
  const input = useDebounced(JSON.stringify(working), 400);
  const [open, setOpen] = useState(false);
  const [preview, setPreview] = useState<PromptPreview | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    api
      .previewWorking(JSON.parse(input) as Working, controller.signal)
      .then((p) => {
        setPreview(p);
        setFailed(null);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setFailed(err instanceof Error ? err.message : String(err));
      });
    return () => controller.abort();
  }, [input, open]);

  return (
    <details className="next-prompt" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Prompt for the next round</summary>
      {failed && <p className="field-error small">Preview unavailable ({failed}).</p>}
      {preview ? (
        <>
          <TokenMeter count={preview.token_count} window={preview.window ?? 77} />
          <div className="prompt-box" data-testid="next-prompt">
            {preview.prompt}
          </div>
          {preview.negative_prompt && <p className="small muted">Kept out: {preview.negative_prompt}</p>}
        </>
      ) : (
        !failed && <p className="muted small">Building the prompt…</p>
      )}
    </details>
  );
}
