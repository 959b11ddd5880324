import { useEffect, useState } from "react";
import { api, type Attributes, type PromptPreview as Preview } from "../api";
import { useDebounced } from "../hooks";
import { cleanAttributes } from "../lib/attributes";
import { estimateTokens } from "../lib/tokenMeter";
import { TokenMeter } from "./TokenMeter";
import { ClauseKinds, KindLegend } from "./ClauseList";

/** The prompt the server will build from this description, live, with its token meter. */
export function PromptPreview({ text, attributes }: { text: string; attributes: Attributes }) {
  const input = useDebounced(JSON.stringify({ text, attributes: cleanAttributes(attributes) }), 350);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    const body = JSON.parse(input) as { text: string; attributes: Attributes };
    if (!body.text.trim() && Object.keys(body.attributes).length === 0) {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- no input: the last preview goes (the effect owns the request)
      setPreview(null);
      setFailed(null);
      return;
    }
    const controller = new AbortController();
    setPending(true);
    api
      .previewPrompt(body, controller.signal)
      .then((p) => {
        setPreview(p);
        setFailed(null);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setFailed(err instanceof Error ? err.message : String(err));
      })
      .finally(() => !controller.signal.aborted && setPending(false));
    return () => controller.abort();
  }, [input]);

  const stale = failed !== null;
  const count = stale || !preview ? estimateTokens(text) : preview.token_count;
  return (
    <section className="prompt-preview" aria-labelledby="prompt-preview-title" aria-busy={pending}>
      <h3 id="prompt-preview-title" className="panel-title">
        Prompt for the first round
      </h3>
      <TokenMeter count={count} window={preview?.window ?? 77} estimated={stale || !preview} pending={pending} />
      {failed && <p className="field-error small">Live preview unavailable ({failed}). The count above is an estimate; the server builds the real prompt on save.</p>}
      <div className="prompt-box" aria-label="Built prompt" data-testid="built-prompt">
        {preview?.prompt ? preview.prompt : <span className="muted">The prompt appears here as you type.</span>}
      </div>
      {!!preview?.clauses?.length && (
        <div className="preview-clauses" data-testid="preview-clauses">
          <span className="field-hint">How the description reads, clause by clause (“Not seen” and “Unsure” are not drawn; a kind can be changed in the session):</span>
          <ClauseKinds clauses={preview.clauses} label="The description's clauses and their kinds" />
          <KindLegend />
        </div>
      )}
      {preview?.negative_prompt && (
        <details className="prompt-negative">
          <summary>Negative prompt</summary>
          <div className="prompt-box prompt-box-muted">{preview.negative_prompt}</div>
        </details>
      )}
    </section>
  );
}
