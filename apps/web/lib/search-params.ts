import { jobIdSchema } from "@sorami/contracts";

export type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The `?job=` a generate page follows; anything that is not a job id is ignored. */
export async function followedJobId(searchParams: SearchParams): Promise<string | null> {
  const parsed = jobIdSchema.safeParse((await searchParams).job);
  return parsed.success ? parsed.data : null;
}
