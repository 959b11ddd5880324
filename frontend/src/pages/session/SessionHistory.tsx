import type { Round } from "../../api";
import { RoundTree } from "../../components/RoundTree";
import { Lineage } from "../../components/Lineage";
import { RoundWords } from "../../components/RoundWords";
import { candidateLabel, lineage, type CandidateRef } from "../../lib/roundTree";

/** The left column: every round as a tree, and the ancestry of the current pick. */
export function SessionHistory({
  rounds,
  selectedIndex,
  onSelect,
  finalId,
  picked,
}: {
  rounds: Round[];
  selectedIndex: number | null;
  onSelect: (index: number) => void;
  finalId: string | null;
  picked: CandidateRef | undefined;
}) {
  return (
    <aside className="session-history" aria-labelledby="history-title">
      <h2 id="history-title" className="panel-title">
        Rounds
      </h2>
      <RoundTree rounds={rounds} selectedIndex={selectedIndex} onSelect={onSelect} finalId={finalId} />
      <Lineage rounds={rounds} candidateId={picked?.candidate.id ?? null} />
      <RoundWords rounds={rounds} openIndex={selectedIndex} />
      {picked && (
        <div className="lineage">
          <h3 className="subhead">Lineage of the pick</h3>
          <ol className="lineage-list">
            {lineage(rounds, picked.candidate.id).map((ref) => (
              <li key={ref.candidate.id}>
                <img src={ref.candidate.image_url} alt={`Candidate ${candidateLabel(ref)}`} />
                <span className="small">{candidateLabel(ref)}</span>
              </li>
            ))}
          </ol>
        </div>
      )}
    </aside>
  );
}
