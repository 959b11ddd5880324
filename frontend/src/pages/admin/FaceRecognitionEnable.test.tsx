import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { AuthProvider } from "../../auth";
import { FaceRecognitionEnable } from "./FaceRecognitionEnable";

afterEach(() => vi.unstubAllGlobals());

describe("<FaceRecognitionEnable>", () => {
  it("needs a reason, then records it for the case", async () => {
    const fn = vi.fn(async (url: string, _init?: RequestInit) =>
      url === "/api/auth/me"
        ? new Response(JSON.stringify({ user: { id: "u1", username: "ada", role: "admin" }, csrf_token: "t" }), { status: 200 })
        : new Response(JSON.stringify({ ok: true }), { status: 200, headers: { "Content-Type": "application/json" } }),
    );
    vi.stubGlobal("fetch", fn);
    render(
      <AuthProvider>
        <FaceRecognitionEnable caseId="k1" reference="CR-1" />
      </AuthProvider>,
    );
    fireEvent.click(screen.getByText("Allow face-recognition search exports of CR-1…"));
    const submit = screen.getByRole("button", { name: "Allow face-recognition exports" }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText("Reason (recorded)"), { target: { value: " Court order 123 " } });
    await act(async () => {
      fireEvent.click(submit);
    });
    const post = fn.mock.calls.find(([url]) => url === "/api/cases/k1/face-recognition");
    expect(post).toBeTruthy();
    expect(JSON.parse(String(post![1]?.body))).toEqual({ reason: "Court order 123" });
    expect(await screen.findByRole("status")).toBeTruthy();
  });
});
