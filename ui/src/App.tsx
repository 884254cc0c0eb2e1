import { lazy, Suspense } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";
import { useSession } from "./auth/session";
import PageLoading from "./components/PageLoading";
import Segments from "./components/Segments";

const SignIn = lazy(() => import("./pages/SignIn"));
const AuthCallback = lazy(() => import("./pages/AuthCallback"));
const Shell = lazy(() => import("./layout/Shell"));
const CustomersList = lazy(() => import("./pages/CustomersList"));
const CustomerPage = lazy(() => import("./pages/CustomerPage"));
const NotFound = lazy(() => import("./pages/NotFound"));
const RequestAccess = lazy(() => import("./pages/RequestAccess"));
const MyRequests = lazy(() => import("./pages/MyRequests"));
const Approvals = lazy(() => import("./pages/Approvals"));
const RequestDetail = lazy(() => import("./pages/RequestDetail"));
const Sessions = lazy(() => import("./pages/Sessions"));
const ProfilesPage = lazy(() => import("./pages/ProfilesPage"));
const AdminRoutes = lazy(() => import("./pages/admin/AdminRoutes"));
const BillingOverview = lazy(() => import("./pages/billing/BillingOverview"));
const CustomerBilling = lazy(() => import("./pages/billing/CustomerBilling"));
const AnomaliesPage = lazy(() => import("./pages/billing/AnomaliesPage"));
const RunsPage = lazy(() => import("./pages/billing/RunsPage"));
const UtilisationOverview = lazy(() => import("./pages/utilisation/UtilisationOverview"));
const CustomerUtilisation = lazy(() => import("./pages/utilisation/CustomerUtilisation"));
const ContractPage = lazy(() => import("./pages/utilisation/ContractPage"));
const TaskCodesPage = lazy(() => import("./pages/utilisation/TaskCodesPage"));
const UnmappedPage = lazy(() => import("./pages/utilisation/UnmappedPage"));
const UtilisationImports = lazy(() => import("./pages/utilisation/ImportsPage"));
const SyncRunsPage = lazy(() => import("./pages/utilisation/SyncRunsPage"));
const TeamPage = lazy(() => import("./pages/utilisation/TeamPage"));
const ReportsOverview = lazy(() => import("./pages/reports/ReportsOverview"));
const CustomerReports = lazy(() => import("./pages/reports/CustomerReports"));

function RequireSession({ children }: { children: React.ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (!session) {
    const next = location.pathname + location.search;
    const to = next === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`;
    return <Navigate to={to} replace />;
  }
  return children;
}

export default function App() {
  return (
    <Suspense fallback={<PageLoading />}>
      <Routes>
        <Route path="/sign-in" element={<SignIn />} />
        <Route path="/auth/callback" element={<AuthCallback />} />
        <Route
          element={
            <RequireSession>
              <Shell />
            </RequireSession>
          }
        >
          <Route index element={<Navigate to="/customers" replace />} />
          <Route path="customers" element={<CustomersList />} />
          <Route path="customers/:code" element={<Segments><CustomerPage /></Segments>} />
          <Route path="customers/:code/billing" element={<Segments><CustomerBilling /></Segments>} />
          <Route path="customers/:code/utilisation" element={<Segments><CustomerUtilisation /></Segments>} />
          <Route path="customers/:code/utilisation/:contract" element={<Segments><ContractPage /></Segments>} />
          <Route path="customers/:code/reports" element={<Segments><CustomerReports /></Segments>} />
          <Route path="billing" element={<BillingOverview />} />
          <Route path="billing/anomalies" element={<AnomaliesPage />} />
          <Route path="billing/runs" element={<RunsPage />} />
          <Route path="utilisation" element={<UtilisationOverview />} />
          <Route path="utilisation/team" element={<TeamPage />} />
          <Route path="utilisation/task-codes" element={<TaskCodesPage />} />
          <Route path="utilisation/unmapped" element={<UnmappedPage />} />
          <Route path="utilisation/imports" element={<UtilisationImports />} />
          <Route path="utilisation/runs" element={<SyncRunsPage />} />
          <Route path="reports" element={<ReportsOverview />} />
          <Route path="breakglass/request" element={<RequestAccess />} />
          <Route path="breakglass/requests" element={<MyRequests />} />
          <Route path="breakglass/requests/:id" element={<Segments><RequestDetail /></Segments>} />
          <Route path="breakglass/approvals" element={<Approvals />} />
          <Route path="breakglass/sessions" element={<Sessions />} />
          <Route path="profiles" element={<ProfilesPage />} />
          <Route path="admin/*" element={<AdminRoutes />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
