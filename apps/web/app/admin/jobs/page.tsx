import type { Metadata } from "next";
import { JOB_FILTERS, type JobFilters } from "@/components/admin/job-filters";
import { AdminJobsList } from "@/components/admin/jobs-list";

export const metadata: Metadata = { title: "Jobs" };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const raw = await searchParams;
  const filters: JobFilters = {};
  for (const name of JOB_FILTERS) {
    const value = raw[name];
    if (typeof value === "string" && value) {
      filters[name] = value;
    }
  }
  // Keyed by the filters: a new filter starts a new list.
  return <AdminJobsList key={JSON.stringify(filters)} filters={filters} />;
}
