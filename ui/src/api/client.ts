// The one typed client for the Customer Central API (types generated from `cc openapi`).
import createClient, { type Middleware } from "openapi-fetch";
import { expireSession, getSession } from "../auth/session";
import { toApiError } from "./errors";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Customer = Schemas["Customer"];
export type CustomerStatus = Schemas["CustomerStatus"];
export type Account = Schemas["Account"];
export type AccessMethod = Schemas["AccessMethod"];
export type Contact = Schemas["Contact"];
export type ConsoleLink = Schemas["ConsoleLink"];
export type Me = Schemas["Me"];
export type Environment = Schemas["Environment"];

const auth: Middleware = {
  onRequest({ request }) {
    const session = getSession();
    if (session) request.headers.set("Authorization", `Bearer ${session.token}`);
    return request;
  },
  onResponse({ response }) {
    // A refused token ends the session; the router then shows the sign-in page, which says the
    // session expired. (No silent renew: it would need refresh tokens in the browser or a
    // third-party-cookie iframe; signing in again is one redirect while the IdP session lasts.)
    if (response.status === 401 && getSession()) expireSession();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: "" });
api.use(auth);

/** Returns `data`, or throws an ApiError built from the error body and status. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw toApiError(result.response.status, result.error);
  }
  return result.data as T;
}
