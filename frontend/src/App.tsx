import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { AuthProvider } from "./auth";
import { HealthProvider } from "./health";
import { Layout } from "./components/Layout";
import { RequireAuth } from "./components/RequireAuth";
import { SessionExpiredDialog } from "./components/SessionExpiredDialog";
import { LoginPage, NotFoundPage } from "./pages/LoginPage";
import { CasesPage } from "./pages/CasesPage";
import { CasePage } from "./pages/CasePage";
import { InterviewPage } from "./pages/InterviewPage";
import { SessionPage } from "./pages/SessionPage";
import { WitnessPage } from "./pages/WitnessPage";
import { WitnessLinkPage } from "./pages/WitnessLinkPage";
import { AdminUsersPage } from "./pages/admin/AdminUsersPage";
import { AdminModelsPage } from "./pages/admin/AdminModelsPage";
import { AdminAuditPage } from "./pages/admin/AdminAuditPage";

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      {/* A witness link on another device: no account; the token in the fragment opens one session. */}
      <Route path="/w" element={<WitnessLinkPage />} />
      <Route
        path="/witness/:sessionId"
        element={
          <RequireAuth>
            <WitnessPage />
          </RequireAuth>
        }
      />
      <Route
        element={
          <RequireAuth>
            <Layout />
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="/cases" replace />} />
        <Route path="/cases" element={<CasesPage />} />
        <Route path="/cases/:caseId" element={<CasePage />} />
        <Route path="/cases/:caseId/witnesses/:witnessId" element={<InterviewPage />} />
        <Route path="/sessions/:sessionId" element={<SessionPage />} />
        <Route
          path="/admin"
          element={
            <RequireAuth admin>
              <AdminUsersPage />
            </RequireAuth>
          }
        />
        <Route
          path="/admin/models"
          element={
            <RequireAuth admin>
              <AdminModelsPage />
            </RequireAuth>
          }
        />
        <Route
          path="/admin/audit"
          element={
            <RequireAuth admin>
              <AdminAuditPage />
            </RequireAuth>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <HealthProvider>
          <AppRoutes />
          <SessionExpiredDialog />
        </HealthProvider>
      </AuthProvider>
    </BrowserRouter>
  );
}
