import { useState } from "react";

/** A candidate's picture, with a quiet placeholder while loading and a message if it fails. */
export function CandidateImage({ src, alt, className, draggable = false }: { src: string; alt: string; className?: string; draggable?: boolean }) {
  const [state, setState] = useState<"loading" | "ok" | "error">("loading");
  const [attempt, setAttempt] = useState(0);
  return (
    <div className={`cand-img ${className ?? ""} cand-img-${state}`}>
      {state === "error" ? (
        <div className="cand-img-error" role="img" aria-label={`${alt} (image failed to load)`}>
          <span>Image did not load</span>
          <button
            type="button"
            className="btn btn-small"
            onClick={(e) => {
              e.stopPropagation();
              setState("loading");
              setAttempt((a) => a + 1);
            }}
          >
            Reload image
          </button>
        </div>
      ) : (
        <img
          key={attempt}
          src={attempt ? `${src}${src.includes("?") ? "&" : "?"}retry=${attempt}` : src}
          alt={alt}
          draggable={draggable}
          onLoad={() => setState("ok")}
          onError={() => setState("error")}
        />
      )}
    </div>
  );
}
