/**
 * The filters the jobs list's URL carries (the API's query names). Not in
 * the list's client module: the server page reads them too, and a value
 * imported from a "use client" module is only a client reference there.
 */
export const JOB_FILTERS = ["status", "kind", "model", "provider", "user", "workspace", "from", "to"] as const;
export type JobFilters = Partial<Record<(typeof JOB_FILTERS)[number], string>>;
