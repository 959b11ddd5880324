import type { Round } from "../api";
import "./evolve.css";
import { describeChoice, isEvolve, parentsOf } from "../lib/evolve";

/**
 * Model evolve on the artist's screen: what the witness chose from each array
 * (picks with ratings, none of these, a blend, a scale) and, for the face in
 * hand, its generation and parents with their weights.
 */
export function Lineage({ rounds, candidateId }: { rounds: Round[]; candidateId: string | null }) {
  const evolved = [...rounds].filter((r) => isEvolve(r.model)).sort((a, b) => a.index - b.index);
  if (!evolved.length) return null;
  const label = new Map<string, string>();
  for (const r of rounds) for (const c of r.candidates) label.set(c.id, `#${c.index + 1}`);
  const numberOf = (id: string) => label.get(id) ?? null;
  const candidate = rounds.flatMap((r) => r.candidates).find((c) => c.id === candidateId);
  const images = new Map(rounds.flatMap((r) => r.candidates).map((c) => [c.id, c.image_url]));
  const parents = candidate ? parentsOf(rounds, candidate.parents ?? []) : [];
  return (
    <section className="lineage evolve-lineage" aria-labelledby="evolve-lineage-title">
      <h3 className="subhead" id="evolve-lineage-title">
        Evolution
      </h3>
      <ol className="evolve-lineage-list">
        {evolved.map((r) => {
          const generation = r.candidates.find((c) => c.generation != null)?.generation;
          const choice = describeChoice(r.evolve_choice, numberOf);
          return (
            <li key={r.index} className="evolve-lineage-round">
              <strong>Round {r.index}</strong>
              {generation != null && <span className="muted"> · generation {generation}</span>}
              {choice && <div>{choice} of round {r.index - 1}</div>}
            </li>
          );
        })}
      </ol>
      {candidate && (
        <div className="small">
          <span>
            Pick: generation {candidate.generation ?? "–"}
            {parents.length ? ", parents:" : ", no parents (first array)"}
          </span>
          <ul className="evolve-lineage-parents" aria-label="Parents of the pick">
            {parents.map((p) => (
              <li key={p.candidateId}>
                {images.get(p.candidateId) && <img src={images.get(p.candidateId)} alt={`Parent ${p.label ?? p.candidateId.slice(0, 8)}`} />}
                <span className="muted small">
                  {p.label ?? "earlier face"}
                  {p.weight != null ? ` × ${p.weight.toFixed(2)}` : ""}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
