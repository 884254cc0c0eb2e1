// TanStack Query hooks for the profile generator (`GET /profiles` as JSON and as INI text, preferences).
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Selection } from "../lib/profiles";
import { api, unwrap } from "./client";
import type { components } from "./schema";

export type ProfileSet = components["schemas"]["ProfileSet"];
export type Preferences = components["schemas"]["Preferences"];

export const profileKeys = {
  preferences: ["me", "profile-preferences"] as const,
  json: (s: Selection) => ["profiles", "json", s] as const,
  ini: (s: Selection) => ["profiles", "ini", s] as const,
};

export function usePreferences() {
  return useQuery({
    queryKey: profileKeys.preferences,
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/me/profile-preferences", { signal })),
    staleTime: 5 * 60_000,
  });
}

/** The profiles as data: count, kinds, refused ones. */
export function useProfileSet(selection: Selection, enabled: boolean) {
  return useQuery({
    queryKey: profileKeys.json(selection),
    enabled,
    queryFn: async ({ signal }) => {
      const data = unwrap(
        await api.GET("/api/v1/profiles", { params: { query: { ...selection, format: "json" } }, signal }),
      );
      // The route documents both forms (JSON and the INI text); JSON was asked for.
      if (typeof data === "string") throw new Error("the server sent text where JSON was asked for");
      return data;
    },
    placeholderData: keepPreviousData,
  });
}

/** The exact `~/.aws/config` text the server renders (what `cc profiles sync` writes in its block). */
export function useProfileIni(selection: Selection, enabled: boolean) {
  return useQuery({
    queryKey: profileKeys.ini(selection),
    enabled,
    queryFn: async ({ signal }) => {
      const result = await api.GET("/api/v1/profiles", {
        params: { query: { ...selection, format: "ini" } },
        parseAs: "text",
        signal,
      });
      // Errors come back as JSON even when text was asked for (openapi-fetch parses them).
      if (!result.response.ok) unwrap(result);
      return String(result.data ?? "");
    },
    placeholderData: keepPreviousData,
  });
}
