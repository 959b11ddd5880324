import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { isAdmin, useAuth } from "../auth";
import { EmptyState, Loading } from "./ui";

/** Pages behind sign-in: a signed-out visitor goes to /login?next=<here>. */
export function RequireAuth({ children, admin }: { children: ReactNode; admin?: boolean }) {
  const { status, user } = useAuth();
  const location = useLocation();
  if (status === "loading") {
    return (
      <div className="center-screen">
        <Loading what="your session" />
      </div>
    );
  }
  if (status === "signed-out") {
    const next = `${location.pathname}${location.search}${location.hash}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (admin && !isAdmin(user)) {
    return (
      <EmptyState title="Admins only">
        This page is for administrators. You are signed in as {user?.username} ({user?.role}).
      </EmptyState>
    );
  }
  return <>{children}</>;
}
