import "@cloudscape-design/global-styles/index.css";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router-dom";
import { demoUsersQuery } from "./api/devUsers";
import { ApiError } from "./api/errors";
import { uiConfigQuery } from "./auth/config";
import { getSession, subscribe } from "./auth/session";
import App from "./App";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // Client mistakes (4xx) will not change on a retry; server and network errors may.
      retry: (failures, error) =>
        !(error instanceof ApiError && error.status < 500 && error.status !== 429) && failures < 2,
    },
  },
});

// Nobody signed in: the sign-in page comes next and needs the demo users; ask now, while its code loads.
if (!getSession()) {
  void queryClient.prefetchQuery(demoUsersQuery);
  void queryClient.prefetchQuery(uiConfigQuery);
}

// Another tab signed out or in as someone else (the session is shared by the tabs): nothing read
// with the previous token may be shown.
let shownFor = getSession()?.token;
subscribe(() => {
  const now = getSession()?.token;
  if (now !== shownFor && shownFor !== undefined) queryClient.clear();
  shownFor = now;
});

// A data router, so forms with unsaved changes can block navigation (useBlocker); the routes
// themselves stay in App's <Routes>.
const router = createBrowserRouter([{ path: "*", element: <App /> }]);

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
