import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { AuthProvider } from "../../auth";
import { AdminUsersPage } from "./AdminUsersPage";
import { setCsrfToken, type User } from "../../api";
import { bodies, serve } from "../../test/serve";

const ALICE: User = { id: "u1", username: "alice", role: "admin", active: true, locked: false, created_at: "2024-01-02T10:00:00Z" };
const BOB: User = { id: "u2", username: "bob", role: "artist", active: true, locked: false, created_at: "2024-01-03T10:00:00Z" };

type Handler = Parameters<typeof serve>[1];

/** The shared stub, signed in as the admin with ALICE's id (u1), serving the user list. */
function serveUsers(handler: Handler, users: User[] = [ALICE, BOB]) {
  return serve("admin", handler, { "/api/users": users });
}

async function renderPage() {
  render(
    <MemoryRouter initialEntries={["/admin"]}>
      <AuthProvider>
        <AdminUsersPage />
      </AuthProvider>
    </MemoryRouter>,
  );
  await screen.findByRole("combobox", { name: "Role of bob" });
  // The CSRF token comes from the /me probe.
  await waitFor(() => expect(screen.getByText("(you)")).toBeTruthy());
}

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe("<AdminUsersPage> user changes", () => {
  it("changes a role with PATCH {role} and the CSRF token, and shows the saved role", async () => {
    const fn = serveUsers((url, init) => {
      if (url === "/api/users/u2" && init.method === "PATCH") return { status: 200, body: { ...BOB, role: "admin" } };
      return undefined;
    });
    await renderPage();
    const select = screen.getByRole("combobox", { name: "Role of bob" }) as HTMLSelectElement;
    expect(select.value).toBe("artist");
    await act(async () => {
      fireEvent.change(select, { target: { value: "admin" } });
    });
    expect(bodies(fn, "PATCH", "/api/users/u2")).toEqual([{ role: "admin" }]);
    const [, init] = fn.mock.calls.find(([url, i]) => url === "/api/users/u2" && i?.method === "PATCH")!;
    expect((init!.headers as Record<string, string>)["X-CSRF-Token"]).toBe("csrf-1");
    await waitFor(() => expect((screen.getByRole("combobox", { name: "Role of bob" }) as HTMLSelectElement).value).toBe("admin"));
  });

  it("shows the server's 409 when the last active admin would go, and keeps the list as it was", async () => {
    const detail = "alice is the last active admin: make another admin first";
    const fn = serveUsers((url, init) => {
      if (url === "/api/users/u1" && init.method === "PATCH") return { status: 409, body: { detail } };
      return undefined;
    });
    await renderPage();
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Deactivate alice" }));
    });
    expect(bodies(fn, "PATCH", "/api/users/u1")).toEqual([{ active: false }]);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain(detail);
    expect(alert.textContent).toContain("alice was not deactivated");
    // Both users still listed, alice unchanged.
    expect(screen.getByRole("combobox", { name: "Role of bob" })).toBeTruthy();
    expect((screen.getByRole("combobox", { name: "Role of alice" }) as HTMLSelectElement).value).toBe("admin");
    expect(screen.getByRole("button", { name: "Deactivate alice" })).toBeTruthy();
  });

  it("deactivates and reactivates with the button", async () => {
    serveUsers((url, init) => {
      if (url === "/api/users/u2" && init.method === "PATCH") {
        const body = JSON.parse(String(init.body)) as { active: boolean };
        return { status: 200, body: { ...BOB, active: body.active } };
      }
      return undefined;
    });
    await renderPage();
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Deactivate bob" }));
    });
    expect(await screen.findByRole("button", { name: "Reactivate bob" })).toBeTruthy();
    expect(screen.getByText("Inactive")).toBeTruthy();
  });

  it("resets a password: checks length, shows a 422's rule, then saves", async () => {
    let attempt = 0;
    const fn = serveUsers((url, init) => {
      if (url === "/api/users/u2" && init.method === "PATCH") {
        attempt += 1;
        return attempt === 1
          ? { status: 422, body: { detail: "the password must contain a digit" } }
          : { status: 200, body: BOB };
      }
      return undefined;
    });
    await renderPage();
    fireEvent.click(screen.getByRole("button", { name: "Reset password of bob" }));
    const form = screen.getByRole("form", { name: "Reset password of bob" });
    const input = within(form).getByLabelText("New password for bob");

    fireEvent.change(input, { target: { value: "short" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(within(form).getByText("Use at least 8 characters.")).toBeTruthy();
    expect(bodies(fn, "PATCH", "/api/users/u2")).toHaveLength(0);

    fireEvent.change(input, { target: { value: "longenough" } });
    await act(async () => {
      fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    });
    expect((await screen.findByRole("alert")).textContent).toContain("the password must contain a digit");
    expect(screen.getByRole("form", { name: "Reset password of bob" })).toBeTruthy();

    fireEvent.change(screen.getByLabelText("New password for bob"), { target: { value: "longenough1" } });
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Save" }));
    });
    expect(bodies(fn, "PATCH", "/api/users/u2")).toEqual([{ password: "longenough" }, { password: "longenough1" }]);
    expect(await screen.findByText(/Password changed\. bob is signed out everywhere/)).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Reset password of bob" })).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("<AdminUsersPage> lockouts", () => {
  it("says until when an account is locked and unlocks it with POST /unlock", async () => {
    const until = "2026-12-01T16:12:00Z";
    const fn = serveUsers(
      (url, init) => (url === "/api/users/u2/unlock" && init.method === "POST" ? { status: 200, body: BOB } : undefined),
      [ALICE, { ...BOB, locked: true, locked_until: until }],
    );
    await renderPage();
    const clock = new Date(until).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    expect(screen.getByText(`locked until ${clock}`)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Unlock alice" })).toBeNull();
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Unlock bob" }));
    });
    const posts = fn.mock.calls.filter(([url, init]) => url === "/api/users/u2/unlock" && init?.method === "POST");
    expect(posts).toHaveLength(1);
    expect((posts[0]![1]!.headers as Record<string, string>)["X-CSRF-Token"]).toBe("csrf-1");
    await waitFor(() => expect(screen.queryByText(/locked/)).toBeNull());
    expect(screen.queryByRole("button", { name: "Unlock bob" })).toBeNull();
  });
});
