import { useState, type FormEvent } from "react";
import type { CaseInput } from "../api";
import { useAction, useDraftState } from "../hooks";
import { ErrorNotice, TextArea, TextField } from "./ui";

export interface CaseFormValues {
  reference: string;
  title: string;
  offence: string;
  occurred_on: string;
  location: string;
  notes: string;
}

export const EMPTY_CASE: CaseFormValues = { reference: "", title: "", offence: "", occurred_on: "", location: "", notes: "" };

export function toCaseInput(v: CaseFormValues): CaseInput {
  return {
    reference: v.reference.trim(),
    title: v.title.trim(),
    offence: v.offence.trim(),
    occurred_on: v.occurred_on || null,
    location: v.location.trim(),
    notes: v.notes.trim(),
  };
}

/**
 * Create or edit a case. The values live in a sessionStorage draft until saved,
 * so a failed save or an expired session keeps them.
 */
export function CaseForm({
  draftKey,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
  referenceLocked,
}: {
  referenceLocked?: boolean;
  draftKey: string;
  initial: CaseFormValues;
  submitLabel: string;
  onSubmit: (input: CaseInput) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const [values, setValues, discard] = useDraftState<CaseFormValues>(draftKey, initial);
  const [touched, setTouched] = useState(false);
  const save = useAction(onSubmit);
  const set = (key: keyof CaseFormValues) => (value: string) => setValues((v) => ({ ...v, [key]: value }));

  const refError = touched && !values.reference.trim() ? "A case reference is required." : null;
  const titleError = touched && !values.title.trim() ? "A short title is required." : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!values.reference.trim() || !values.title.trim()) return;
    const result = await save.run(toCaseInput(values));
    if (result !== undefined) discard();
  };

  return (
    <form className="stack case-form" onSubmit={submit} noValidate aria-label={submitLabel}>
      <ErrorNotice error={save.error} title="The case was not saved" onDismiss={save.clearError} />
      <div className="grid-2">
        <TextField label="Reference" value={values.reference} onChange={set("reference")} required placeholder="e.g. CR-2025-0143" error={refError} autoFocus={!referenceLocked} readOnly={referenceLocked} hint={referenceLocked ? "The reference cannot be changed once the case exists." : undefined} />
        <TextField label="Offence" value={values.offence} onChange={set("offence")} placeholder="e.g. Robbery" />
      </div>
      <TextField label="Title" value={values.title} onChange={set("title")} required placeholder="e.g. Street robbery, Elm Road" error={titleError} />
      <div className="grid-2">
        <TextField label="Date of offence" type="date" value={values.occurred_on} onChange={set("occurred_on")} />
        <TextField label="Location" value={values.location} onChange={set("location")} placeholder="Street, area" />
      </div>
      <TextArea label="Notes" value={values.notes} onChange={set("notes")} rows={3} placeholder="Anything the artist should know before the interview" />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={save.pending}>
          {save.pending ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button
            type="button"
            className="btn btn-quiet"
            onClick={() => {
              discard();
              onCancel();
            }}
          >
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
