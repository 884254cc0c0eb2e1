import AppLayout from "@cloudscape-design/components/app-layout";
import SideNavigation from "@cloudscape-design/components/side-navigation";
import TopNavigation from "@cloudscape-design/components/top-navigation";
import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState } from "react";
import { Outlet, useLocation, useNavigate } from "react-router-dom";
import { useApprovalPolicies } from "../api/breakglass";
import { useMe } from "../api/hub";
import { navAccess } from "../lib/grants";
import { installFocusManagement } from "./focusManagement";
import SkipLink, { MAIN_CONTENT_ID } from "./SkipLink";
import { forgetProviderUser } from "../auth/oidc";
import { setSession, useSession } from "../auth/session";
import PageLoading from "../components/PageLoading";
import UnsavedChangesGuard from "../components/UnsavedChangesGuard";
import { isQuickSwitcherShortcut, modalOpen } from "../quick/logic";

const QuickSwitcher = lazy(() => import("../quick/QuickSwitcher"));

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);
const shortcut = isMac ? "⌘K" : "Ctrl+K";

export default function Shell() {
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const session = useSession();
  const me = useMe();
  const [navigationOpen, setNavigationOpen] = useState(true);
  const [switcherOpen, setSwitcherOpen] = useState(false);

  useEffect(() => installFocusManagement(), []);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (isQuickSwitcherShortcut(event)) {
        // The app's shortcut either way, but never over an open dialog (it owns focus).
        event.preventDefault();
        if (!modalOpen(document)) setSwitcherOpen(true);
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  const signOut = () => {
    setSession(null);
    // Signed in through the identity provider: drop oidc-client-ts's in-memory copy too (the
    // provider's own session stays; signing in again may not ask for a password).
    if (session?.kind === "oidc") void forgetProviderUser();
    queryClient.clear();
    navigate("/sign-in", { replace: true });
  };

  const email = me.data?.email ?? session?.email ?? "";
  const roles = me.data?.roles?.join(", ");
  const activeHref = /^\/customers\/[^/]+\/billing$/.test(location.pathname)
    ? "/billing"
    : /^\/customers\/[^/]+\/utilisation(\/|$)/.test(location.pathname)
    ? "/utilisation"
    : /^\/customers\/[^/]+\/reports$/.test(location.pathname)
    ? "/reports"
    : location.pathname.startsWith("/customers")
    ? "/customers"
    : location.pathname.startsWith("/breakglass/requests/")
      ? "/breakglass/requests"
      : location.pathname.startsWith("/admin/customers")
        ? "/admin/customers"
        : location.pathname;
  // Show breakglass items only to roles that can use them: asking needs a requester role of a
  // customer's policy (and the team), deciding an approver role. The API stays the authority.
  const policies = useApprovalPolicies(!!me.data);
  const may = navAccess(me.data, policies.data);
  const admin = !!me.data?.roles.includes("admin");

  return (
    <>
      <SkipLink />
      <div id="top-nav" style={{ position: "sticky", top: 0, zIndex: 1002 }}>
        <TopNavigation
          identity={{
            href: "/",
            title: "Customer Central",
            onFollow: (event) => {
              event.preventDefault();
              navigate("/");
            },
          }}
          utilities={[
            {
              type: "button",
              iconName: "search",
              text: `Find (${shortcut})`,
              ariaLabel: `Find a customer or account (${shortcut})`,
              onClick: () => setSwitcherOpen(true),
            },
            {
              type: "menu-dropdown",
              text: email,
              description: roles ? `Roles: ${roles}` : undefined,
              iconName: "user-profile",
              ariaLabel: `Signed in as ${email}`,
              items: [{ id: "sign-out", text: "Sign out" }],
              onItemClick: ({ detail }) => {
                if (detail.id === "sign-out") signOut();
              },
            },
          ]}
          i18nStrings={{
            overflowMenuTriggerText: "More",
            overflowMenuTitleText: "All",
            overflowMenuDismissIconAriaLabel: "Close menu",
            overflowMenuBackIconAriaLabel: "Back",
          }}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        toolsHide
        navigationOpen={navigationOpen}
        onNavigationChange={({ detail }) => setNavigationOpen(detail.open)}
        navigation={
          <SideNavigation
            header={{ text: "Customer hub", href: "/customers" }}
            activeHref={activeHref}
            onFollow={(event) => {
              if (event.detail.external) return;
              event.preventDefault();
              navigate(event.detail.href);
            }}
            items={[
              { type: "link", text: "Customers", href: "/customers" },
              {
                type: "section",
                text: "Breakglass",
                items: [
                  ...(may.request ? [{ type: "link" as const, text: "Request access", href: "/breakglass/request" }] : []),
                  { type: "link", text: "My requests", href: "/breakglass/requests" },
                  ...(may.approve
                    ? [{ type: "link" as const, text: "Waiting for my approval", href: "/breakglass/approvals" }]
                    : []),
                  { type: "link", text: "Active sessions", href: "/breakglass/sessions" },
                ],
              },
              {
                type: "link-group",
                text: "Billing",
                href: "/billing",
                items: [
                  { type: "link", text: "Cost anomalies", href: "/billing/anomalies" },
                  { type: "link", text: "Fetch runs", href: "/billing/runs" },
                ],
              },
              {
                type: "link-group",
                text: "Utilisation",
                href: "/utilisation",
                items: [
                  { type: "link", text: "Team", href: "/utilisation/team" },
                  { type: "link", text: "Task codes", href: "/utilisation/task-codes" },
                  { type: "link", text: "Unmapped hours", href: "/utilisation/unmapped" },
                  { type: "link", text: "Sync runs", href: "/utilisation/runs" },
                  ...(admin ? [{ type: "link" as const, text: "CSV imports", href: "/utilisation/imports" }] : []),
                ],
              },
              { type: "link", text: "Reports", href: "/reports" },
              { type: "link", text: "Profiles", href: "/profiles" },
              ...(admin
                ? [
                    {
                      type: "section" as const,
                      text: "Admin",
                      items: [
                        { type: "link" as const, text: "Customers and accounts", href: "/admin/customers" },
                        { type: "link" as const, text: "Approval policies", href: "/admin/policies" },
                      ],
                    },
                  ]
                : []),
              { type: "divider" },
              {
                type: "link",
                text: "API reference (OpenAPI)",
                href: "/api/v1/openapi.json",
                external: true,
                externalIconAriaLabel: "(opens in a new tab)",
              },
            ]}
          />
        }
        ariaLabels={{
          navigation: "Side navigation",
          navigationClose: "Close side navigation",
          navigationToggle: "Open side navigation",
        }}
        content={
          <div id={MAIN_CONTENT_ID} tabIndex={-1} style={{ outline: "none" }}>
            <Suspense fallback={<PageLoading />}>
              <Outlet />
            </Suspense>
          </div>
        }
      />
      <UnsavedChangesGuard />
      {switcherOpen ? (
        <Suspense fallback={null}>
          <QuickSwitcher onClose={() => setSwitcherOpen(false)} />
        </Suspense>
      ) : null}
    </>
  );
}
