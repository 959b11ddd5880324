import type { Description } from "../api";
import { diffAttributes } from "../lib/attributes";
import { diffWords, hasChanges } from "../lib/diff";

/** What changed from one description version to the next: text and attributes. */
export function DescriptionDiff({ before, after }: { before: Description; after: Description }) {
  const parts = diffWords(before.text, after.text);
  const attrs = diffAttributes(before.attributes ?? {}, after.attributes ?? {});
  return (
    <div className="diff" aria-label={`Changes from version ${before.version} to version ${after.version}`}>
      {hasChanges(parts) ? (
        <p className="diff-text">
          {parts.map((p, i) =>
            p.kind === "same" ? (
              <span key={i}>{p.text}</span>
            ) : p.kind === "added" ? (
              <ins key={i}>{p.text}</ins>
            ) : (
              <del key={i}>{p.text}</del>
            ),
          )}
        </p>
      ) : (
        <p className="muted small">Text unchanged.</p>
      )}
      {attrs.length > 0 && (
        <table className="diff-attrs">
          <caption className="sr-only">Attribute changes</caption>
          <thead>
            <tr>
              <th>Attribute</th>
              <th>Before</th>
              <th>After</th>
            </tr>
          </thead>
          <tbody>
            {attrs.map((a) => (
              <tr key={a.path}>
                <th scope="row">{a.label}</th>
                <td>{a.before ? <del>{a.before}</del> : <span className="muted">—</span>}</td>
                <td>{a.after ? <ins>{a.after}</ins> : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
