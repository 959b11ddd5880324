import type { ReactNode } from "react";
import { useHealth } from "../health";

/** The whole screen turned toward the witness: no navigation, no case data; the demo-weights line if it applies. */
export function WitnessFrame({ children }: { children: ReactNode }) {
  const { health } = useHealth();
  return (
    <div className="witness-screen">
      {health?.model?.random_weights && (
        <div className="banner banner-demo banner-slim" role="status">
          <strong>Demo model: random weights — images are noise, not sketches</strong>
        </div>
      )}
      <main className="witness-main">{children}</main>
    </div>
  );
}
