/** Small building blocks shared by every page. */
import { useEffect, useId, useRef, type ReactNode } from "react";
import { Link } from "react-router";
import type { ApiError } from "../api";
import { useLatest } from "../lib/useLatest";

export function Spinner({ label = "Loading" }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label} />;
}

/** A loading state that says what is loading. */
export function Loading({ what }: { what: string }) {
  return (
    <div className="loading-block" aria-busy="true">
      <Spinner label={`Loading ${what}`} />
      <span>Loading {what}…</span>
    </div>
  );
}

/** An error that says what happened and what to do about it. */
export function ErrorNotice({
  error,
  title,
  onRetry,
  onDismiss,
  compact,
}: {
  error: ApiError | Error | string | null | undefined;
  title?: string;
  onRetry?: () => void;
  onDismiss?: () => void;
  compact?: boolean;
}) {
  if (!error) return null;
  const message = typeof error === "string" ? error : error.message;
  const status = typeof error === "object" && "status" in error ? error.status : undefined;
  const advice =
    status === 0
      ? "Check that the Likeness server is running and the network is up, then retry."
      : status !== undefined && status >= 500
          ? "Nothing you entered has been lost. Retry in a moment; if it keeps failing, tell an admin."
          : null;
  return (
    <div className={`notice notice-error${compact ? " notice-compact" : ""}`} role="alert">
      <div className="notice-body">
        {title && <strong className="notice-title">{title}</strong>}
        <span>{message}</span>
        {advice && <span className="notice-advice">{advice}</span>}
      </div>
      <div className="notice-actions">
        {onRetry && (
          <button type="button" className="btn btn-small" onClick={onRetry}>
            Retry
          </button>
        )}
        {onDismiss && (
          <button type="button" className="btn btn-small btn-quiet" onClick={onDismiss} aria-label="Dismiss message">
            Dismiss
          </button>
        )}
      </div>
    </div>
  );
}

export function Notice({ kind = "info", children }: { kind?: "info" | "success" | "warning"; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === "warning" ? "alert" : "status"}>
      <div className="notice-body">{children}</div>
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children && <p className="empty-text">{children}</p>}
      {action}
    </div>
  );
}

export function Badge({ tone = "neutral", children, title }: { tone?: "neutral" | "accent" | "success" | "warning" | "danger"; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export interface Crumb {
  label: string;
  to?: string;
}

export function Breadcrumbs({ items }: { items: Crumb[] }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        {items.map((c, i) => (
          <li key={i}>
            {c.to && i < items.length - 1 ? <Link to={c.to}>{c.label}</Link> : <span aria-current={i === items.length - 1 ? "page" : undefined}>{c.label}</span>}
          </li>
        ))}
      </ol>
    </nav>
  );
}

export function PageHeader({ title, subtitle, actions, crumbs, badge }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode; crumbs?: Crumb[]; badge?: ReactNode }) {
  return (
    <header className="page-header">
      {crumbs && <Breadcrumbs items={crumbs} />}
      <div className="page-header-row">
        <div className="page-header-text">
          <h1>
            {title} {badge}
          </h1>
          {subtitle && <p className="page-subtitle">{subtitle}</p>}
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
    </header>
  );
}

/** A labelled text input; the label is what the browser tests find it by. */
export function TextField({
  label,
  value,
  onChange,
  type = "text",
  required,
  placeholder,
  hint,
  autoFocus,
  autoComplete,
  name,
  error,
  list,
  inputMode,
  readOnly,
}: {
  readOnly?: boolean;
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: string;
  required?: boolean;
  placeholder?: string;
  hint?: string;
  autoFocus?: boolean;
  autoComplete?: string;
  name?: string;
  error?: string | null;
  list?: string;
  inputMode?: "text" | "numeric" | "decimal";
}) {
  const id = useId();
  return (
    <div className={`field${error ? " field-invalid" : ""}`}>
      <label htmlFor={id}>
        {label}
        {required && <span className="required" aria-hidden="true"> *</span>}
      </label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        required={required}
        placeholder={placeholder}
        autoFocus={autoFocus}
        autoComplete={autoComplete}
        list={list}
        inputMode={inputMode}
        readOnly={readOnly}
        aria-invalid={error ? true : undefined}
        aria-describedby={hint || error ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {(hint || error) && (
        <span id={`${id}-hint`} className={error ? "field-error" : "field-hint"}>
          {error || hint}
        </span>
      )}
    </div>
  );
}

export function TextArea({
  label,
  value,
  onChange,
  rows = 4,
  placeholder,
  hint,
  required,
  readOnly,
  className,
  autoFocus,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  rows?: number;
  placeholder?: string;
  hint?: ReactNode;
  required?: boolean;
  readOnly?: boolean;
  className?: string;
  autoFocus?: boolean;
}) {
  const id = useId();
  return (
    <div className={`field ${className ?? ""}`}>
      <label htmlFor={id}>
        {label}
        {required && <span className="required" aria-hidden="true"> *</span>}
      </label>
      <textarea
        id={id}
        value={value}
        rows={rows}
        placeholder={placeholder}
        required={required}
        readOnly={readOnly}
        autoFocus={autoFocus}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
    </div>
  );
}

export function SelectField<T extends string>({
  label,
  value,
  onChange,
  options,
  hint,
}: {
  label: string;
  value: T;
  onChange: (value: T) => void;
  options: { value: T; label: string }[];
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as T)} aria-describedby={hint ? `${id}-hint` : undefined}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
    </div>
  );
}

/** A modal dialog: focus moves in on open, Escape or the backdrop closes it. */
export function Dialog({
  title,
  onClose,
  children,
  wide,
  className,
  labelledBy,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  className?: string;
  labelledBy?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const onCloseRef = useLatest(onClose);
  useEffect(() => {
    const previouslyFocused = document.activeElement as HTMLElement | null;
    const el = ref.current;
    const first = el?.querySelector<HTMLElement>("[autofocus], input, textarea, select, button:not([data-close])");
    (first ?? el)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        onCloseRef.current();
      }
    };
    el?.addEventListener("keydown", onKey);
    return () => {
      el?.removeEventListener("keydown", onKey);
      previouslyFocused?.focus?.();
    };
  }, [onCloseRef]);
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className={`dialog${wide ? " dialog-wide" : ""} ${className ?? ""}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy ?? titleId}
        tabIndex={-1}
      >
        <div className="dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="btn btn-quiet btn-icon" data-close onClick={onClose} aria-label="Close dialog">
            ×
          </button>
        </div>
        <div className="dialog-body">{children}</div>
      </div>
    </div>
  );
}

export function KeyHint({ children }: { children: ReactNode }) {
  return <kbd className="kbd">{children}</kbd>;
}
