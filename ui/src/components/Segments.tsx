import { lazy } from "react";
import { useParams } from "react-router-dom";
import { paramsAreSegments } from "../lib/routes";

const NotFound = lazy(() => import("../pages/NotFound"));

/**
 * Wraps the page of a route with path parameters: a parameter that is not one clean segment
 * (`/customers/a%2Fb/utilisation`: an encoded slash) names no page, so the app's Not found page
 * shows instead of the page asking the API for an id that cannot exist.
 */
export default function Segments({ children }: { children: React.ReactNode }) {
  const params = useParams();
  return paramsAreSegments(params) ? children : <NotFound />;
}
