import { ADMIN_DELIVERY_FILTERS } from "@sorami/contracts";
import type { Metadata } from "next";
import { AdminDeliveries } from "@/components/admin/deliveries";

export const metadata: Metadata = { title: "Deliveries" };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { problem } = await searchParams;
  const known = (ADMIN_DELIVERY_FILTERS as readonly string[]).includes(String(problem)) ? String(problem) : null;
  return <AdminDeliveries key={known ?? "all"} problem={known} />;
}
