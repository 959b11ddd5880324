import { useEffect, useState } from "react";
import { referenceProblem, REFERENCE_TYPES } from "../lib/reference";

/**
 * An optional sketch or photo for the first round to start from, with a preview,
 * and whether to turn a photo into a pencil sketch first.
 */
export function ReferencePicker({
  file,
  onFile,
  sketchify,
  onSketchify,
}: {
  file: File | null;
  onFile: (file: File | null) => void;
  sketchify: boolean;
  onSketchify: (on: boolean) => void;
}) {
  const [previewUrl, setPreviewUrl] = useState<string | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const problem = file ? referenceProblem(file) : null;
  useEffect(() => {
    if (!file || problem) {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- no usable file: the last preview goes (the effect owns the object URL)
      setPreviewUrl(null);
      return;
    }
    const url = URL.createObjectURL(file);
    setPreviewUrl(url);
    return () => URL.revokeObjectURL(url);
  }, [file, problem]);
  return (
    <div className="reference-picker">
      <div className={`field${problem ? " field-invalid" : ""}`}>
        <label htmlFor="start-reference">Reference sketch or photo (optional)</label>
        <input
          key={inputKey}
          id="start-reference"
          type="file"
          accept={REFERENCE_TYPES.join(",")}
          aria-describedby="start-reference-hint"
          onChange={(e) => onFile(e.target.files?.[0] ?? null)}
        />
        <span id="start-reference-hint" className={problem ? "field-error" : "field-hint"}>
          {problem ?? "PNG, JPEG or WebP, up to 20 MB. The first round starts from it instead of the words alone. Location and camera data are removed on upload."}
        </span>
      </div>
      {file && (
        <div className="reference-chosen">
          {previewUrl && <img src={previewUrl} alt="Chosen reference" className="reference-thumb" />}
          <div className="stack-tight">
            <span className="small">{file.name}</span>
            <button
              type="button"
              className="btn btn-small btn-quiet"
              onClick={() => {
                onFile(null);
                onSketchify(false);
                setInputKey((k) => k + 1);
              }}
            >
              Remove reference
            </button>
          </div>
        </div>
      )}
      <label className="checkbox">
        <input type="checkbox" checked={sketchify && !!file} disabled={!file} onChange={(e) => onSketchify(e.target.checked)} />
        Turn photo into pencil sketch
      </label>
    </div>
  );
}
