import { useSearchParams } from "react-router-dom";
import { useMe } from "../api/hub";
import { seesEveryone } from "../lib/breakglass";

/**
 * Whose requests or sessions a list shows: `mine`, or `all` for a lead or admin who chose it. The
 * choice lives in the address (`?scope=all`), so it survives a reload and can be shared. My requests
 * and Active sessions read and wrote it the same way.
 */
export function useScope() {
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const seesAll = seesEveryone(me.data?.roles);
  const scope: "mine" | "all" = seesAll && params.get("scope") === "all" ? "all" : "mine";
  const setScope = (next: string) => setParams(next === "all" ? { scope: "all" } : {}, { replace: true });
  return { me, seesAll, scope, setScope };
}
