import { useId, useState, type ReactNode } from "react";
import { useAction } from "../hooks";
import { Dialog, ErrorNotice } from "./ui";

/**
 * An admin's recorded decision: a dialog that will not send without a reason
 * (the server refuses an empty one too) and closes once the server has it.
 */
export function ReasonDialog({
  title,
  children,
  label = "Reason (recorded in the audit trail)",
  submitLabel,
  onSubmit,
  onDone,
  onClose,
}: {
  title: string;
  children: ReactNode;
  label?: string;
  submitLabel: string;
  onSubmit: (reason: string) => Promise<unknown>;
  onDone: () => void;
  onClose: () => void;
}) {
  const id = useId();
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  const save = useAction(async () => {
    await onSubmit(reason.trim());
    return true;
  });
  const submit = async () => {
    if (!reason.trim()) {
      setMissing(true);
      return;
    }
    if (await save.run()) onDone();
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <form
        className="stack reason-dialog"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {children}
        <div className={`field${missing ? " field-invalid" : ""}`}>
          <label htmlFor={id}>
            {label}
            <span className="required" aria-hidden="true">
              {" "}
              *
            </span>
          </label>
          <textarea
            id={id}
            rows={3}
            value={reason}
            required
            autoFocus
            aria-invalid={missing || undefined}
            aria-describedby={missing ? `${id}-error` : undefined}
            onChange={(e) => {
              setReason(e.target.value);
              setMissing(false);
            }}
          />
          {missing && (
            <span id={`${id}-error`} className="field-error">
              Write the reason: it is kept with the decision and shown to everyone who opens the case.
            </span>
          )}
        </div>
        <ErrorNotice error={save.error} title="Not recorded" onDismiss={save.clearError} compact />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={save.pending}>
            {save.pending ? "Recording…" : submitLabel}
          </button>
          <button type="button" className="btn btn-quiet" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
