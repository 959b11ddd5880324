import type { Dispatch, SetStateAction } from "react";
import type { ApiError, Registry } from "../../api";
import { ErrorNotice } from "../../components/ui";
import { LoraAdapterPicker, ModelPicker, StylePicker } from "../../components/EngineControls";
import { describeInForce, type EngineInForce } from "../../lib/engine";
import type { RefineDraft } from "./useRefineDraft";

/** The engine choices for the next round: model, LoRA adapters, style, strength, steps and the prompt. */
export function NextRoundFields({
  refine,
  setRefine,
  registry,
  registryError,
  onRetryRegistry,
  inForce,
  problem,
  viewedPrompt,
}: {
  refine: RefineDraft;
  setRefine: Dispatch<SetStateAction<RefineDraft>>;
  registry: Registry | undefined;
  registryError: ApiError | null;
  onRetryRegistry: () => void;
  inForce: EngineInForce;
  problem: string | null;
  /** The prompt of the round on screen: where an edited prompt starts from. */
  viewedPrompt: string | undefined;
}) {
  const adapterCount = (refine.adapters ?? inForce.adapters).length;
  const inForceText = describeInForce(inForce, registry);
  return (
    <fieldset className="model-controls">
      <legend>Next round</legend>
      <ModelPicker
        model={refine.model}
        onModel={(model) => setRefine((r) => ({ ...r, model }))}
        clipAdapterId={refine.clipAdapterId}
        onClipAdapter={(clipAdapterId) => setRefine((r) => ({ ...r, clipAdapterId }))}
        registry={registry}
        inForce={inForce}
        problem={problem}
      />
      {refine.model !== "img2img" && (
        <NumberField
          id="refine-fusion"
          label="CLIP image weight (0–1)"
          value={refine.fusionWeight}
          placeholder="model default"
          onChange={(fusionWeight) => setRefine((r) => ({ ...r, fusionWeight }))}
        />
      )}
      {inForceText && (
        <p className="in-force small" data-testid="engine-in-force">
          <span className="muted">In force:</span> {inForceText}
        </p>
      )}
      <ErrorNotice error={registryError} title="Could not read the model registry" onRetry={onRetryRegistry} compact />
      <details>
        <summary>LoRA adapters{adapterCount ? ` (${adapterCount} on)` : ""}</summary>
        <LoraAdapterPicker
          choice={refine.adapters}
          onChoice={(adapters) => setRefine((r) => ({ ...r, adapters }))}
          schedule={refine.adapterSchedule}
          onSchedule={(adapterSchedule) => setRefine((r) => ({ ...r, adapterSchedule }))}
          registry={registry}
          inForce={inForce}
        />
      </details>
      <details>
        <summary>Style and strength</summary>
        <StylePicker
          style={refine.style}
          onStyle={(style) => setRefine((r) => ({ ...r, style }))}
          blend={refine.styleBlend}
          onBlend={(styleBlend) => setRefine((r) => ({ ...r, styleBlend }))}
          registry={registry}
          inForce={inForce}
        />
        <p className="field-hint">Model, adapters, style and blend stay in force for the following rounds until changed.</p>
        <div className="grid-3">
          <NumberField id="refine-strength" label="Strength" value={refine.strength} placeholder="0.3" onChange={(strength) => setRefine((r) => ({ ...r, strength }))} />
          <NumberField id="refine-steps" label="Steps" value={refine.steps} placeholder="30" onChange={(steps) => setRefine((r) => ({ ...r, steps }))} />
          <NumberField id="refine-guidance" label="Guidance" value={refine.guidance} placeholder="7.5" onChange={(guidance) => setRefine((r) => ({ ...r, guidance }))} />
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={refine.editPrompt}
            onChange={(e) => setRefine((r) => ({ ...r, editPrompt: e.target.checked, prompt: r.prompt || viewedPrompt || "" }))}
          />
          Edit the prompt for the next round
        </label>
        {refine.editPrompt && (
          <div className="field">
            <label htmlFor="refine-prompt">Prompt override</label>
            <textarea id="refine-prompt" rows={4} value={refine.prompt} onChange={(e) => setRefine((r) => ({ ...r, prompt: e.target.value }))} />
          </div>
        )}
      </details>
    </fieldset>
  );
}

function NumberField({ id, label, value, placeholder, onChange }: { id: string; label: string; value: string; placeholder: string; onChange: (v: string) => void }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="text" inputMode="decimal" value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
