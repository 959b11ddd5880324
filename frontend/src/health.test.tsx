import { afterEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import { HealthProvider, queueStatus, SystemBanners } from "./health";
import type { Health } from "./api";

const HEALTH: Health = {
  status: "ok",
  database: { ok: true },
  broker: { ok: true },
  worker: { ok: true, count: 1 },
  model: { name: "tiny-random-sd", random_weights: true },
};

function serve(health: Health) {
  vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(health), { status: 200 })));
}

afterEach(() => vi.unstubAllGlobals());

describe("queueStatus", () => {
  it("reads the queue or says there is none", () => {
    expect(queueStatus({ ...HEALTH, queue: { depth: 3, running: 1, max_depth: 50, full: false } })).toEqual({ depth: 3, running: 1, max_depth: 50, full: false });
    expect(queueStatus({ ...HEALTH, queue: { error: "OperationalError" } })).toBeNull();
    expect(queueStatus(HEALTH)).toBeNull();
  });
});

describe("<SystemBanners>", () => {
  it("warns when the queue is full and keeps the random-weights warning", async () => {
    serve({ ...HEALTH, queue: { depth: 50, running: 2, max_depth: 50, full: true } });
    render(
      <HealthProvider>
        <SystemBanners />
      </HealthProvider>,
    );
    expect((await screen.findByTestId("queue-full-banner")).textContent).toContain("50 of 50 waiting");
    expect(screen.getByTestId("demo-banner").textContent).toContain("random weights");
  });

  it("says nothing about a queue with room", async () => {
    serve({ ...HEALTH, model: { name: "sd15", random_weights: false }, queue: { depth: 49, running: 2, max_depth: 50, full: false } });
    const { container } = render(
      <HealthProvider>
        <SystemBanners />
      </HealthProvider>,
    );
    await waitFor(() => expect(vi.mocked(fetch)).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByTestId("queue-full-banner")).toBeNull();
    expect(container.querySelectorAll(".banner")).toHaveLength(0);
  });

  it("names the database, not the workers, when the database does not answer", async () => {
    serve({ ...HEALTH, status: "degraded", database: { ok: false, error: "OperationalError" }, worker: { ok: false, count: 0 } });
    render(
      <HealthProvider>
        <SystemBanners />
      </HealthProvider>,
    );
    expect((await screen.findByTestId("database-banner")).textContent).toContain("The database is not answering");
    expect(screen.queryByText("No drawing worker is running.")).toBeNull();
  });

  it("says no worker is running when the database answers and no worker does", async () => {
    serve({ ...HEALTH, status: "degraded", worker: { ok: false, count: 0 } });
    render(
      <HealthProvider>
        <SystemBanners />
      </HealthProvider>,
    );
    expect(await screen.findByText("No drawing worker is running.")).toBeTruthy();
    expect(screen.queryByTestId("database-banner")).toBeNull();
  });
});
