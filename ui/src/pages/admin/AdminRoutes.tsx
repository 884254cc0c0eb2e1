import { lazy, Suspense } from "react";
import { Navigate, Route, Routes } from "react-router-dom";
import PageLoading from "../../components/PageLoading";
import RequireAdmin from "../../components/RequireAdmin";
import Segments from "../../components/Segments";

const AdminCustomers = lazy(() => import("./AdminCustomers"));
const AdminCustomer = lazy(() => import("./AdminCustomer"));
const AdminPolicies = lazy(() => import("./AdminPolicies"));
const NotFound = lazy(() => import("../NotFound"));

/** The admin pages: shown to admins only; the API refuses everyone else's changes regardless. */
export default function AdminRoutes() {
  return (
    <RequireAdmin>
      <Suspense fallback={<PageLoading />}>
        <Routes>
          <Route index element={<Navigate to="customers" replace />} />
          <Route path="customers" element={<AdminCustomers />} />
          <Route path="customers/:code" element={<Segments><AdminCustomer /></Segments>} />
          <Route path="policies" element={<AdminPolicies />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </RequireAdmin>
  );
}
